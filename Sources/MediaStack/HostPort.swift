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
