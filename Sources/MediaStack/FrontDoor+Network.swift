extension FrontDoor {
    /// The Compose network between Caddy and the web UIs it proxies, created by the core stack while the front door
    /// is on. Caddy is on it alone, at a fixed address: every app reaches Caddy's requests from that one address,
    /// which is the only one Grafana's `auth.proxy` and Jellyfin's known proxies trust. `media_net` keeps the
    /// apps' own traffic (Prometheus, Homepage's widgets, the wiring), and Caddy is not on it.
    public static let network = "media_frontdoor"
    /// The settings key of that network's IPv4 subnet.
    public static let subnetKey = SettingKey("PROXY_SUBNET")
    /// Outside Docker's default address pools (172.17.0.0/16–172.31.0.0/16, 192.168.0.0/16), so no network Docker
    /// creates by itself can take it first.
    public static let defaultSubnet = "172.16.238.0/24"

    /// The front door network's IPv4 subnet: Docker hands the apps addresses from its lower half (`ip_range`), and
    /// Caddy takes the last usable address, outside that range, so no container that starts first can hold it.
    public struct Subnet: Hashable, Sendable, CustomStringConvertible {
        public let base: UInt32
        public let prefixLength: Int

        /// Prefix lengths with room for the apps, the gateway and Caddy.
        public static let prefixLengths = 16...26

        /// Parses `a.b.c.d/n`, host bits zero (Docker refuses anything else).
        public init?(_ text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let length = Int(parts[1]), Self.prefixLengths.contains(length),
                parts[1].allSatisfy({ $0.isASCII && $0.isNumber })
            else { return nil }
            let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
            guard octets.count == 4 else { return nil }
            var base: UInt32 = 0
            for octet in octets {
                guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy({ $0.isASCII && $0.isNumber }),
                    let value = UInt32(octet), value <= 255
                else { return nil }
                base = base << 8 | value
            }
            guard base & ~Self.mask(length) == 0 else { return nil }
            self.base = base
            self.prefixLength = length
        }

        static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : UInt32.max << (32 - length) }

        static func dotted(_ address: UInt32) -> String {
            [24, 16, 8, 0].map { String(address >> UInt32($0) & 0xFF) }.joined(separator: ".")
        }

        public var description: String { "\(Self.dotted(base))/\(prefixLength)" }

        /// The lower half, from which Docker assigns the containers' addresses.
        public var automaticRange: String { "\(Self.dotted(base))/\(prefixLength + 1)" }

        /// Caddy's address: the last usable one (the broadcast address minus one).
        public var proxyAddress: String { Self.dotted((base | ~Self.mask(prefixLength)) - 1) }

        /// The gateway: the first usable address, which Docker gives the host on the network's bridge while the
        /// network exists. Rendered as the network's `gateway`, so it is fixed by `PROXY_SUBNET` alone; Node
        /// Exporter (host network) listens there, where Prometheus reaches it, instead of on every interface.
        public var gatewayAddress: String { Self.dotted(base + 1) }
    }

    /// The subnet of these settings (`PROXY_SUBNET`, validated when the settings are read), else the default.
    public static func subnet(_ settings: Settings) -> Subnet {
        Subnet(settings[subnetKey]) ?? Subnet(defaultSubnet) ?? Subnet(base: 0xAC10_EE00, prefixLength: 24)
    }

    /// Caddy's fixed address on the front door network while the front door is on, else nil.
    public static func proxyAddress(_ settings: Settings) -> String? {
        isEnabled(settings) ? subnet(settings).proxyAddress : nil
    }

    /// Whether the core stack creates the front door network for these settings: the front door is on and Caddy
    /// is not disabled.
    public static func hasNetwork(_ settings: Settings) -> Bool {
        isEnabled(settings) && !settings.disabledServices.contains(proxy)
    }

    /// Whether `service` joins the front door network: the sites Caddy proxies (but host-network Plex, which Caddy
    /// reaches through the host gateway) and Authelia. Caddy itself is on it alone.
    public static func joinsNetwork(_ service: Service) -> Bool {
        (service.name == authenticator || access[service.name] != nil) && !service.usesHostNetwork
    }
}

extension FrontDoor.Subnet {
    init(base: UInt32, prefixLength: Int) {
        self.base = base
        self.prefixLength = prefixLength
    }
}
