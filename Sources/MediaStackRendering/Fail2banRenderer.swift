import MediaStack

/// Renders fail2ban's jails (`security/fail2ban/jail.d/mediaserver.local`) and one filter file per filter that an
/// enabled service uses (`security/fail2ban/filter.d/<filter>.conf`). Nothing is rendered when fail2ban is disabled.
///
/// Each jail bans in the chain that sees the service's traffic: `DOCKER-USER` for ports Docker publishes (the
/// packets reach it after Docker's DNAT, so the jail names the container port), `INPUT` for host-network services.
public struct Fail2banRenderer: Sendable {
    public static let folder = "security/fail2ban"
    public static let jailPath = "\(folder)/jail.d/mediaserver.local"

    public static func filterPath(_ filter: Fail2banFilter) -> String { "\(folder)/filter.d/\(filter.rawValue).conf" }

    /// Never banned: loopback and Docker's bridge networks, whose gateway address carries hairpin and
    /// userland-proxy connections (banning it would lock everybody out).
    public static let alwaysIgnored = ["127.0.0.1/8", "::1", "172.16.0.0/12"]

    public init() {}

    /// One jail of the rendered file.
    public struct Jail: Hashable, Sendable {
        public let service: ServiceName
        public let log: AuthLog
        public let chain: String
        public let ports: [Int]
    }

    /// The jails of the enabled services, in catalog order.
    public static func jails(_ stack: Stack) -> [Jail] {
        // Behind the front door the LAN reaches every app through Caddy's published ports only (the apps' own
        // ports bind to loopback), so a ban there is what keeps an address out; Authelia publishes no port at all.
        // The ban works because the jailed apps log the client, not Caddy: Jellyfin through its KnownProxies
        // (`FirstStartSeed.jellyfin`), Seerr through trustProxy (`SeerrWiring+Proxy`), and Sonarr, Radarr and
        // Prowlarr by themselves: `src/NzbDrone.Host/Startup.cs` configures ForwardedHeadersOptions with
        // X-Forwarded-For/-Proto/-Host and KnownNetworks 10.0.0.0/8, 172.16.0.0/12 (Caddy's PROXY_SUBNET),
        // 192.168.0.0/16, fc00::/7 and fe80::/10, then `app.UseForwardedHeaders()`, so the failed-login line
        // (and `UiAuthorizationHandler`'s local-address test) sees the address Caddy puts in X-Forwarded-For.
        // Read at Sonarr/Sonarr v4.0.19.2979 (the pinned tag). The pinned Radarr v6.2.1.10461 and Prowlarr
        // v2.5.2.5491 tags are newer than the stored snapshots: Prowlarr/Prowlarr v2.3.5.5327 and develop (2.3.6)
        // have the same five networks; Radarr/Radarr develop 1b9662d58 (6.1.0) has them since 7d8444c43 and
        // 90cd8df1a, while v6.0.3.10276 and older cleared both lists and so trusted X-Forwarded-For from any
        // address (a client could name itself local). Keep Radarr at 6.1 or later.
        let proxy = FrontDoor.isEnabled(stack.settings) ? stack.service(FrontDoor.proxy) : nil
        return stack.services.compactMap { service in
            guard let log = service.authLog else { return nil }
            let ports: [Int]
            let chain: String
            if service.usesHostNetwork {
                chain = "INPUT"
                ports = service.hostPorts.filter { $0.proto == .tcp }.map(\.port.value)
            } else {
                chain = "DOCKER-USER"
                var seen = Set<Int>()
                ports = (proxy ?? service).ports.filter { $0.proto == .tcp }.map(\.containerPort.value).filter {
                    seen.insert($0).inserted
                }
            }
            return Jail(service: service.name, log: log, chain: chain, ports: ports)
        }
    }

    /// `ignoreip`: the fixed ranges, plus the LAN address the stack binds to (the host reaching itself through
    /// it shows up with that source address).
    public static func ignoredAddresses(_ settings: Settings) -> [String] {
        var addresses = alwaysIgnored
        let lan = settings[.lanIP]
        // A loopback address is in the fixed ranges already.
        if !lan.isEmpty, !settings.bindsToLoopback {
            addresses.append(lan)
        }
        return addresses
    }

    public func render(_ stack: Stack) -> [RenderedFile] {
        guard stack.isEnabled("fail2ban") else { return [] }
        let jails = Self.jails(stack)
        let header = RenderHeader.lines.map { "# \($0)" }
        var lines =
            header + [
                "#",
                "# One jail per enabled service that logs failed logins. fail2ban (crazymax/fail2ban, host network)",
                "# sees each app's log directory read-only at /logs/<service>.",
                "# Chains: DOCKER-USER for ports Docker publishes; it sits in FORWARD after Docker's DNAT, so the",
                "# ports are CONTAINER ports. INPUT for host-network services (Plex), whose traffic never crosses",
                "# FORWARD. Check: docker exec fail2ban fail2ban-client status <jail>",
                "",
                "[DEFAULT]",
                "backend   = polling",
                "banaction = iptables-multiport",
                "protocol  = tcp",
                "ignoreip  = \(Self.ignoredAddresses(stack.settings).joined(separator: " "))",
                "maxretry  = 5",
                "findtime  = 1h",
                "bantime   = 1d",
            ]
        for jail in jails {
            lines += [
                "",
                "[\(jail.service)]",
                "enabled  = true",
                "filter   = \(jail.log.filter.rawValue)",
                "chain    = \(jail.chain)",
                "port     = \(jail.ports.map(String.init).joined(separator: ","))",
            ]
            if jail.log.file.contains(" ") {
                lines.append("# fail2ban splits a logpath on its last space, so the spaces are written as '?'.")
            }
            lines += [
                "logpath  = \(jail.log.jailLogPath(for: jail.service))",
                "maxretry = \(jail.log.maxRetry)",
                "findtime = \(jail.log.findTime)",
                "bantime  = \(jail.log.banTime)",
            ]
        }
        var files = [RenderedFile(path: Self.jailPath, contents: lines.joined(separator: "\n") + "\n")]
        for filter in Set(jails.map(\.log.filter)).sorted() {
            let path = Self.filterPath(filter)
            let header = RenderHeader.lines.map { "# \($0)" }
            files.append(
                RenderedFile(path: path, contents: (header + ["#", filter.definition]).joined(separator: "\n") + "\n"))
        }
        return files
    }
}
