/// The transport protocol of a port.
public enum PortProtocol: String, Sendable, Hashable, CaseIterable {
    case tcp, udp
}
