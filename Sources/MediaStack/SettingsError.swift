/// Thrown when a settings file cannot be used; carries every issue found, not only the first.
public struct SettingsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The issues to show: the first ``limit`` found, then one that counts the rest.
    public let issues: [SettingsIssue]

    /// How many issues are shown at most; a file of 100,000 bad lines must not print megabytes.
    public static let limit = 50

    public init(_ issues: [SettingsIssue]) {
        guard issues.count > Self.limit, let first = issues.first else {
            self.issues = issues
            return
        }
        self.issues =
            Array(issues.prefix(Self.limit)) + [
                SettingsIssue(
                    file: first.file, line: nil, key: nil,
                    message: "\(issues.count - Self.limit) more problems are not shown",
                    fix: "fix the ones above and run `mediaserver check` again")
            ]
    }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
