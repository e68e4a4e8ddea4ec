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
