import Foundation

/// The subset of Borg's pattern language the backup files use (`sh:`, `fm:`, `pp:`, `pf:`, `re:`), matched as
/// `borg create` matches excludes: against the path without its leading slash, a pattern also excluding everything
/// below a matching folder.
///
/// The restore drill needs it to tell a file that is missing from the restore because it was excluded from one that
/// was lost.
public struct BorgPatterns: Sendable {
    private enum Matcher: @unchecked Sendable {
        /// Matches from the start of the path (`sh:`, `fm:`).
        case anchored(NSRegularExpression)
        /// Matches anywhere in the path (`re:`).
        case search(NSRegularExpression)
        case prefix(String)
        case exact(String)
    }

    private let matchers: [Matcher]

    /// Parses pattern lines; blank lines and `#` comments are skipped. Lines without a style are `fm:`.
    public init(lines: [String]) {
        matchers = lines.compactMap { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
            return Self.compile(line)
        }
    }

    /// Reads a pattern file such as `backup/excludes.txt`.
    public init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        self.init(lines: text.split(separator: "\n").map(String.init))
    }

    public var isEmpty: Bool { matchers.isEmpty }

    /// Whether `path` (absolute or relative; a leading slash is ignored) is excluded.
    public func excludes(_ path: String) -> Bool {
        let relative = String(path.drop { $0 == "/" })
        let range = NSRange(relative.startIndex..., in: relative)
        for matcher in matchers {
            switch matcher {
            case .anchored(let regex):
                if regex.firstMatch(in: relative, options: [.anchored], range: range) != nil { return true }
            case .search(let regex):
                if regex.firstMatch(in: relative, range: range) != nil { return true }
            case .prefix(let prefix):
                if relative == prefix || relative.hasPrefix(prefix + "/") { return true }
            case .exact(let exact):
                if relative == exact { return true }
            }
        }
        return false
    }

    private static func compile(_ line: String) -> Matcher? {
        var style = "fm"
        var body = Substring(line)
        if let colon = line.firstIndex(of: ":"), ["sh", "fm", "pp", "pf", "re"].contains(String(line[..<colon])) {
            style = String(line[..<colon])
            body = line[line.index(after: colon)...]
        }
        switch style {
        case "re":
            return (try? NSRegularExpression(pattern: String(body))).map { .search($0) }
        case "pp":
            return .prefix(Self.normalized(body))
        case "pf":
            return .exact(Self.normalized(body))
        case "sh":
            return (try? NSRegularExpression(pattern: "(?s)" + shellRegex(Self.normalized(body)) + "(?:/.*)?$"))
                .map { .anchored($0) }
        default:
            return (try? NSRegularExpression(pattern: "(?s)" + fnmatchRegex(Self.normalized(body)) + "(?:/.*)?$"))
                .map { .anchored($0) }
        }
    }

    private static func normalized(_ body: Substring) -> String {
        var text = String(body.drop { $0 == "/" })
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// Borg's `sh:` style: `*` and `?` stop at `/`, `**/` spans folders.
    static func shellRegex(_ pattern: String) -> String {
        translate(pattern, starCrossesSlash: false)
    }

    /// Borg's `fm:` style (fnmatch): `*` also crosses `/`.
    static func fnmatchRegex(_ pattern: String) -> String {
        translate(pattern, starCrossesSlash: true)
    }

    private static func translate(_ pattern: String, starCrossesSlash: Bool) -> String {
        let characters = Array(pattern)
        var result = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            switch character {
            case "*":
                if !starCrossesSlash, index + 1 < characters.count, characters[index] == "*",
                    characters[index + 1] == "/"
                {
                    result += "(?:[^/]*/)*"
                    index += 2
                } else {
                    result += starCrossesSlash ? ".*" : "[^/]*"
                }
            case "?":
                result += starCrossesSlash ? "." : "[^/]"
            case "[":
                guard let close = characters[index...].dropFirst().firstIndex(of: "]") else {
                    result += "\\["
                    continue
                }
                var set = String(characters[index..<close]).replacingOccurrences(of: "\\", with: "\\\\")
                if set.hasPrefix("!") { set = "^" + set.dropFirst() }
                result += "[\(set)]"
                index = close + 1
            default:
                result += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        return result
    }
}
