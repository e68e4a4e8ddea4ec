import Foundation

/// The Compose service name of a catalog entry: lower-case letters, digits, `_` and `-`, starting with a letter.
public struct ServiceName: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    /// Creates a name, or nil when `rawValue` is not a valid Compose service name.
    public init?(_ rawValue: String) {
        guard Self.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        precondition(Self.isValid(value), "invalid service name \(value)")
        self.rawValue = value
    }

    public static func isValid(_ value: String) -> Bool {
        guard let first = value.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return value.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
    }

    /// The settings key prefix for this service, e.g. `node_exporter` → `NODE_EXPORTER`.
    public var settingPrefix: String {
        rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    public var description: String { rawValue }
    public static func < (lhs: ServiceName, rhs: ServiceName) -> Bool { lhs.rawValue < rhs.rawValue }
}
