/// The one port a service's app listens on inside its container. Everything else about the port derives from it:
/// the published port and its `<SERVICE>_PORT` setting, the health probe, the metrics scrape, the Homepage widget
/// URL, Recyclarr's URLs and the fail2ban jail.
public struct ServicePort: Hashable, Sendable, ExpressibleByIntegerLiteral {
    /// The port inside the container (for a host-network service: the port it binds on the host).
    public let container: Port
    /// The default host port it is published on; nil when it is reached on `media_net` only.
    public let defaultHostPort: Port?
    /// Published on 127.0.0.1 whatever LAN_IP says (see `PublishedPort.loopbackOnly`).
    public let loopbackOnly: Bool

    /// Published on the same host port, e.g. `port: 8096`.
    public init(integerLiteral value: Int) {
        self.container = Port(literal: value)
        self.defaultHostPort = container
        self.loopbackOnly = false
    }

    private init(container: Int, host: Int?, loopbackOnly: Bool = false) {
        self.container = Port(literal: container)
        self.defaultHostPort = host.map { Port(literal: $0) }
        self.loopbackOnly = loopbackOnly
    }

    /// Published on `host`, by default the same port; another where the seed chose one (Dozzle 9999 → 8080).
    public static func published(_ container: Int, onHost host: Int? = nil) -> ServicePort {
        ServicePort(container: container, host: host ?? container)
    }

    /// Published on `host` of 127.0.0.1 only: for endpoints no person opens from another machine (exporters,
    /// Prometheus), which Prometheus reaches over media_net anyway.
    public static func loopback(_ container: Int, onHost host: Int? = nil) -> ServicePort {
        ServicePort(container: container, host: host ?? container, loopbackOnly: true)
    }

    /// Reached by other containers on `media_net` only; never published on the host.
    public static func unpublished(_ container: Int) -> ServicePort { ServicePort(container: container, host: nil) }
}

/// A container port published on the host, bound to the LAN address (or to loopback only).
public struct PublishedPort: Hashable, Sendable {
    /// The default host port; `.env` may override it through `settingKey`.
    public internal(set) var hostPort: Port
    public let containerPort: Port
    public let proto: PortProtocol
    /// The settings key that overrides the host port, e.g. `SONARR_PORT`.
    public let settingKey: String
    /// Whether the port binds to 127.0.0.1 instead of the LAN address: for endpoints no person opens from another
    /// machine (exporters, Prometheus), and set by `Stack` for every app behind the front door, so the proxy is the
    /// only way in from the LAN. The port stays usable on the host itself.
    public internal(set) var loopbackOnly: Bool

    public init(host: Int, container: Int, proto: PortProtocol = .tcp, settingKey: String, loopbackOnly: Bool = false) {
        self.hostPort = Port(literal: host)
        self.containerPort = Port(literal: container)
        self.proto = proto
        self.settingKey = settingKey
        self.loopbackOnly = loopbackOnly
    }

    /// The published form of a service's port, with its `<SERVICE>_PORT` setting; nil when it is not published.
    init?(_ port: ServicePort, of name: ServiceName) {
        guard let host = port.defaultHostPort else { return nil }
        self.init(
            host: host.value, container: port.container.value, settingKey: "\(name.settingPrefix)_PORT",
            loopbackOnly: port.loopbackOnly)
    }
}

/// A port a host-network service takes on the host itself (no publishing; the app binds it directly).
public struct HostPort: Hashable, Sendable {
    public let port: Port
    public let proto: PortProtocol
    /// What the port is for, shown in clash findings.
    public let purpose: String

    public init(_ port: Int, _ proto: PortProtocol = .tcp, _ purpose: String) {
        self.port = Port(literal: port)
        self.proto = proto
        self.purpose = purpose
    }
}
