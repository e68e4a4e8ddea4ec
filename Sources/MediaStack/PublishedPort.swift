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
