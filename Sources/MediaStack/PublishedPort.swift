/// A container port published on the host, bound to the LAN address.
public struct PublishedPort: Hashable, Sendable {
    /// The default host port; `.env` may override it through `settingKey`.
    public internal(set) var hostPort: Port
    public let containerPort: Port
    public let proto: PortProtocol
    /// The settings key that overrides the host port, e.g. `SONARR_PORT`.
    public let settingKey: String

    public init(host: Int, container: Int, proto: PortProtocol = .tcp, settingKey: String) {
        self.hostPort = Port(literal: host)
        self.containerPort = Port(literal: container)
        self.proto = proto
        self.settingKey = settingKey
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
