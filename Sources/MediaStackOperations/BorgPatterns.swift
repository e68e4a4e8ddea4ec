import Foundation

/// The subset of Borg's pattern language the backup files use (`sh:`, `fm:`, `pp:`, `pf:`, `re:`), matched as
/// `borg create` matches excludes: against the path without its leading slash, a pattern also excluding everything
/// below a matching folder.
///
/// The restore drill needs it to tell a file that is missing from the restore because it was excluded from one that
/// was lost. Patterns that split into path components (`sh:`, `pp:`, `pf:`, and `fm:` without wildcards: every line
/// the rendered files hold) are matched one component at a time as a walk descends (`PatternWalker`): a folder's
/// state holds only the patterns still alive below it, and a child's name is looked up once in a table of the
/// literal components those patterns expect next, so a path is never tested against every pattern. `fm:` patterns
/// with wildcards (`*` crosses `/`) and `re:` patterns are matched against the whole path.
public struct BorgPatterns: Sendable {
    /// One component of a pattern split at `/`.
    enum Segment: Sendable, Hashable {
        /// `**` followed by `/`: any number of folders, none included.
        case anyFolders
        case literal([UInt8])
        case glob(Glob)
    }

    /// A pattern that matches component by component.
    struct ComponentPattern: Sendable {
        let segments: [Segment]
        /// `pf:` matches the whole path only; the others also exclude everything below a match.
        let wholePathOnly: Bool
    }

    /// A pattern matched against the whole relative path.
    private enum WholeMatcher: @unchecked Sendable {
        /// Matches from the start of the path (`fm:` with wildcards).
        case anchored(NSRegularExpression)
        /// Matches anywhere in the path (`re:`).
        case search(NSRegularExpression)
    }

    let componentPatterns: [ComponentPattern]
    private let wholeMatchers: [WholeMatcher]

    /// Parses pattern lines; blank lines and `#` comments are skipped. Lines without a style are `fm:`.
    public init(lines: [String]) {
        var components: [ComponentPattern] = []
        var whole: [WholeMatcher] = []
        for raw in lines {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            switch Self.compile(line) {
            case .components(let pattern)?: components.append(pattern)
            case .whole(let matcher)?: whole.append(matcher)
            case nil: continue
            }
        }
        componentPatterns = components
        wholeMatchers = whole
    }

    /// Reads a pattern file such as `backup/excludes.txt`.
    public init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        self.init(lines: text.split(separator: "\n").map(String.init))
    }

    public var isEmpty: Bool { componentPatterns.isEmpty && wholeMatchers.isEmpty }

    /// Whether some patterns must be matched against the whole path (`fm:` with wildcards, `re:`).
    var hasWholePathPatterns: Bool { !wholeMatchers.isEmpty }

    /// Whether `path` (absolute or relative; a leading slash is ignored) is excluded.
    public func excludes(_ path: String) -> Bool {
        let relative = String(path.drop { $0 == "/" })
        if excludesWholePath(relative) { return true }
        let walker = PatternWalker(self)
        var node = walker.root
        let names = relative.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for (index, name) in names.enumerated() {
            let last = index == names.count - 1
            let step = walker.descend(node, name: Array(name), needsChild: !last)
            if step.excludesBelow || (last && step.matchesExactly) { return true }
            guard let child = step.child else { return false }
            node = child
        }
        return false
    }

    /// Whether a whole-path pattern excludes `relative` (no leading slash).
    func excludesWholePath(_ relative: String) -> Bool {
        guard !wholeMatchers.isEmpty else { return false }
        let range = NSRange(relative.startIndex..., in: relative)
        for matcher in wholeMatchers {
            switch matcher {
            case .anchored(let regex):
                if regex.firstMatch(in: relative, options: [.anchored], range: range) != nil { return true }
            case .search(let regex):
                if regex.firstMatch(in: relative, range: range) != nil { return true }
            }
        }
        return false
    }

    private enum Compiled {
        case components(ComponentPattern)
        case whole(WholeMatcher)
    }

    private static func compile(_ line: String) -> Compiled? {
        var style = "fm"
        var body = Substring(line)
        if let colon = line.firstIndex(of: ":"), ["sh", "fm", "pp", "pf", "re"].contains(String(line[..<colon])) {
            style = String(line[..<colon])
            body = line[line.index(after: colon)...]
        }
        let text = Self.normalized(body)
        switch style {
        case "re":
            return (try? NSRegularExpression(pattern: String(body))).map { .whole(.search($0)) }
        case "pp", "pf":
            // An empty path matches no relative path.
            guard !text.isEmpty else { return nil }
            let parts = text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            return .components(
                ComponentPattern(segments: parts.map { .literal(Array($0)) }, wholePathOnly: style == "pf"))
        case "sh":
            guard !text.isEmpty else { return nil }
            if let segments = shellSegments(text) {
                return .components(ComponentPattern(segments: segments, wholePathOnly: false))
            }
            return (try? NSRegularExpression(pattern: "(?s)" + shellRegex(text) + "(?:/.*)?$"))
                .map { .whole(.anchored($0)) }
        default:
            guard !text.isEmpty else { return nil }
            if !text.contains(where: { "*?[".contains($0) }) {
                let parts = text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
                return .components(ComponentPattern(segments: parts.map { .literal(Array($0)) }, wholePathOnly: false))
            }
            return (try? NSRegularExpression(pattern: "(?s)" + fnmatchRegex(text) + "(?:/.*)?$"))
                .map { .whole(.anchored($0)) }
        }
    }

    /// An `sh:` pattern as components, when each is `**` (followed by more) or a glob within one component; nil
    /// for the rest (an empty component, `**` inside a component or last, a set holding `/`), matched whole.
    static func shellSegments(_ text: String) -> [Segment]? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        var segments: [Segment] = []
        for (index, part) in parts.enumerated() {
            if part.isEmpty { return nil }
            if part == "**" {
                guard index < parts.count - 1 else { return nil }
                if segments.last != .anyFolders { segments.append(.anyFolders) }
                continue
            }
            if part.contains("**") { return nil }
            if !part.contains(where: { "*?[".contains($0) }) {
                segments.append(.literal(Array(part.utf8)))
                continue
            }
            guard let glob = Glob(String(part)) else { return nil }
            segments.append(.glob(glob))
        }
        return segments
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

/// A glob within one path component, as Borg's `sh:` style reads it: `*` any run of characters, `?` one character,
/// `[…]` one character of a set (`[!…]` not of it; ranges `a-z`). Other characters stand for themselves.
struct Glob: Sendable, Hashable {
    enum Token: Sendable, Hashable {
        case character(Unicode.Scalar)
        case any
        case star
        case set(ranges: [ClosedRange<UInt32>], negated: Bool)
    }

    let tokens: [Token]
    /// `prefix*suffix`: matched on the UTF-8 bytes, without decoding.
    let prefix: [UInt8]?
    let suffix: [UInt8]?

    /// Nil when a set holds `/` or a backslash (those are matched as a whole-path regular expression instead).
    init?(_ pattern: String) {
        let characters = Array(pattern.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            switch character {
            case "*": tokens.append(.star)
            case "?": tokens.append(.any)
            case "[":
                // As the regular expression translation: the set runs to the next `]` after its first character.
                guard index + 1 < characters.count,
                    let close = characters[(index + 1)...].firstIndex(of: "]")
                else {
                    tokens.append(.character("["))
                    continue
                }
                var body = Array(characters[index..<close])
                index = close + 1
                if body.contains("/") || body.contains("\\") || body.contains("[") { return nil }
                var negated = false
                if body.first == "!" || body.first == "^" {
                    negated = true
                    body.removeFirst()
                }
                var ranges: [ClosedRange<UInt32>] = []
                var at = 0
                while at < body.count {
                    if at + 2 < body.count, body[at + 1] == "-" {
                        guard body[at].value <= body[at + 2].value else { return nil }
                        ranges.append(body[at].value...body[at + 2].value)
                        at += 3
                    } else {
                        ranges.append(body[at].value...body[at].value)
                        at += 1
                    }
                }
                if ranges.isEmpty { return nil }
                tokens.append(.set(ranges: ranges, negated: negated))
            default: tokens.append(.character(character))
            }
        }
        self.tokens = tokens
        let stars = tokens.indices.filter { tokens[$0] == .star }
        let literal = { (slice: ArraySlice<Token>) -> [UInt8]? in
            var bytes: [UInt8] = []
            for token in slice {
                guard case .character(let scalar) = token else { return nil }
                bytes.append(contentsOf: String(scalar).utf8)
            }
            return bytes
        }
        if stars.count == 1, let star = stars.first, let head = literal(tokens[..<star]),
            let tail = literal(tokens[(star + 1)...])
        {
            prefix = head
            suffix = tail
        } else {
            prefix = nil
            suffix = nil
        }
    }

    func matches(_ name: [UInt8]) -> Bool {
        if let prefix, let suffix {
            return name.count >= prefix.count + suffix.count && name.starts(with: prefix)
                && name.suffix(suffix.count).elementsEqual(suffix)
        }
        return Self.match(tokens[...], Array(String(decoding: name, as: UTF8.self).unicodeScalars)[...])
    }

    private static func match(_ tokens: ArraySlice<Token>, _ name: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let token = tokens.first else { return name.isEmpty }
        switch token {
        case .star:
            var rest = name
            while true {
                if match(tokens.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        case .any:
            return !name.isEmpty && match(tokens.dropFirst(), name.dropFirst())
        case .character(let scalar):
            return name.first == scalar && match(tokens.dropFirst(), name.dropFirst())
        case .set(let ranges, let negated):
            guard let first = name.first else { return false }
            return ranges.contains { $0.contains(first.value) } != negated
                && match(tokens.dropFirst(), name.dropFirst())
        }
    }
}

/// Matches the component patterns of a `BorgPatterns` one folder at a time, for one walk (not thread-safe: each
/// walk makes its own).
///
/// A node is the set of pattern positions alive in a folder; nodes are shared between folders with the same set
/// (most folders of a large tree share the root's), so a walk holds as many nodes as there are distinct sets, not
/// as many as folders.
final class PatternWalker {
    /// A pattern and the index of the segment it expects next.
    struct Position: Hashable, Comparable {
        let pattern: Int
        let segment: Int
        static func < (a: Position, b: Position) -> Bool {
            (a.pattern, a.segment) < (b.pattern, b.segment)
        }
    }

    final class Node {
        /// Positions at `**`: a child of any name keeps them.
        let stay: [Position]
        /// Literal components expected next, and the positions after them.
        let literals: [[UInt8]: [Position]]
        /// Globs expected next, and the positions after them.
        let globs: [(Glob, Position)]
        /// The node of a child no literal or glob matched (its positions are `stay`'s); set on first use.
        var plainChild: Node?
        /// No pattern can match anything below.
        var isDead: Bool { stay.isEmpty && literals.isEmpty && globs.isEmpty }

        init(stay: [Position], literals: [[UInt8]: [Position]], globs: [(Glob, Position)]) {
            self.stay = stay
            self.literals = literals
            self.globs = globs
        }
    }

    struct Step {
        /// A pattern matched the child, excluding it and everything below it.
        var excludesBelow = false
        /// A `pf:` pattern matched the child's whole path.
        var matchesExactly = false
        /// The child's node (nil when not asked for, or when no pattern can match below it).
        var child: Node?
    }

    private let patterns: [BorgPatterns.ComponentPattern]
    private var nodes: [[Position]: Node] = [:]
    let root: Node

    init(_ patterns: BorgPatterns) {
        self.patterns = patterns.componentPatterns
        let start = self.patterns.indices.map { Position(pattern: $0, segment: 0) }
        root = Self.node(for: start, patterns: self.patterns, cache: &nodes)
    }

    /// Matches `name` in a folder at `node`; `needsChild` when the walk will descend into it.
    func descend(_ node: Node, name: [UInt8], needsChild: Bool) -> Step {
        var step = Step()
        if node.isDead { return step }
        var advanced: [Position] = []
        if let positions = node.literals[name] { advanced += positions }
        for (glob, position) in node.globs where glob.matches(name) { advanced.append(position) }
        var next = node.stay
        for position in advanced {
            let pattern = patterns[position.pattern]
            if position.segment == pattern.segments.count {
                if pattern.wholePathOnly { step.matchesExactly = true } else { step.excludesBelow = true }
            } else {
                next.append(position)
            }
        }
        guard needsChild, !step.excludesBelow else { return step }
        if advanced.isEmpty {
            if let plain = node.plainChild {
                step.child = plain
            } else {
                let plain = Self.node(for: node.stay, patterns: patterns, cache: &nodes)
                node.plainChild = plain
                step.child = plain
            }
        } else {
            step.child = Self.node(for: next, patterns: patterns, cache: &nodes)
        }
        if step.child?.isDead == true { step.child = nil }
        return step
    }

    /// The node of `positions`, closed over `**` (which may match no folder), shared through `cache`.
    private static func node(
        for positions: [Position], patterns: [BorgPatterns.ComponentPattern], cache: inout [[Position]: Node]
    ) -> Node {
        var closed = Set<Position>()
        var pending = positions
        while let position = pending.popLast() {
            guard closed.insert(position).inserted else { continue }
            let segments = patterns[position.pattern].segments
            if position.segment < segments.count, segments[position.segment] == .anyFolders {
                pending.append(Position(pattern: position.pattern, segment: position.segment + 1))
            }
        }
        let key = closed.sorted()
        if let node = cache[key] { return node }
        var stay: [Position] = []
        var literals: [[UInt8]: [Position]] = [:]
        var globs: [(Glob, Position)] = []
        for position in key {
            let segments = patterns[position.pattern].segments
            guard position.segment < segments.count else { continue }
            let after = Position(pattern: position.pattern, segment: position.segment + 1)
            switch segments[position.segment] {
            case .anyFolders: stay.append(position)
            case .literal(let bytes): literals[bytes, default: []].append(after)
            case .glob(let glob): globs.append((glob, after))
            }
        }
        let node = Node(stay: stay, literals: literals, globs: globs)
        cache[key] = node
        return node
    }
}
