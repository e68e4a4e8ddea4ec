/// A problem in a settings file: where it is, what is wrong, and how to fix it.
public struct SettingsIssue: Hashable, Sendable, CustomStringConvertible {
    public let file: String
    /// 1-based line number, or nil when the problem is a missing key.
    public let line: Int?
    public let key: String?
    public let message: String
    public let fix: String

    public init(file: String, line: Int?, key: String?, message: String, fix: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
        self.fix = fix
    }

    /// At most `limit` characters of a value for a message (never used for a secret), with `…` when cut.
    public static func excerpt(_ value: String, limit: Int = 60) -> String {
        let visible = value.unicodeScalars.map { scalar -> String in
            scalar.properties.generalCategory == .control ? "?" : String(scalar)
        }.joined()
        return visible.count > limit ? String(visible.prefix(limit)) + "…" : visible
    }

    /// `file:line`, or the file alone for a problem with no line.
    public var location: String { line.map { "\(file):\($0)" } ?? file }

    /// The one diagnostic format of every command, a finding's: `error: [invalid-setting] file:line: message`
    /// and the fix on the next line.
    public var description: String { "error: [invalid-setting] \(location): \(message)\n  fix: \(fix)" }
}
