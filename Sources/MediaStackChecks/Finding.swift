/// One result of a check: how bad, a stable id, what it is about, what is wrong, and the fix.
public struct Finding: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable, Codable, Comparable {
        case warning, error

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
    }

    public let severity: Severity
    /// A stable kebab-case id such as `port-clash`, for scripts and suppressions.
    public let id: FindingID
    /// The service, file or setting the finding is about.
    public let subject: String
    public let message: String
    public let fix: String

    public init(_ severity: Severity, _ id: FindingID, subject: String, message: String, fix: String) {
        self.severity = severity
        self.id = id
        self.subject = subject
        self.message = message
        self.fix = fix
    }

    /// `severity: [id] subject: message` and the fix on the next line.
    public var description: String { "\(severity.rawValue): [\(id.rawValue)] \(subject): \(message)\n  fix: \(fix)" }
}

extension Array where Element == Finding {
    /// Whether any finding is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
