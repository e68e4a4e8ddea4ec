/// A TCP or UDP port number in 1...65535.
public struct Port: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let value: Int

    /// Creates a port, or nil when `value` is outside 1...65535.
    public init?(_ value: Int) {
        guard (1...65535).contains(value) else { return nil }
        self.value = value
    }

    /// Catalog literal; the catalog test suite proves every literal valid.
    init(literal value: Int) {
        precondition((1...65535).contains(value), "port \(value) out of range")
        self.value = value
    }

    public var description: String { String(value) }
    public static func < (lhs: Port, rhs: Port) -> Bool { lhs.value < rhs.value }
}
