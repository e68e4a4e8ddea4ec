/// Why an operation stopped, as the lines to show (`error: …` and `  fix: …`, or the findings), and whether it was
/// a finding of severity error (exit 2) or a failure (exit 1).
public struct OperationFailure: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Something failed (exit 1).
        case failed
        /// The settings or the stack have errors (exit 2); nothing was changed.
        case findings
    }

    public let kind: Kind
    public let lines: [String]

    public init(_ kind: Kind, _ lines: [String]) {
        self.kind = kind
        self.lines = lines
    }

    /// A failure (exit 1).
    public init(_ lines: [String]) { self.init(.failed, lines) }

    public var description: String { lines.joined(separator: "\n") }
}
