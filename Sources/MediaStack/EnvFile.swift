/// A parsed dotenv file (`KEY=value` lines), read exactly as Docker Compose reads its `.env`.
///
/// The rules are those of compose-spec/compose-go `dotenv/parser.go` and `dotenv/godotenv.go` (v2.13/v2.14, the
/// versions Docker Compose v5 pins), checked against the real loader by the differential test:
/// - a UTF-8 byte order mark is skipped; blank lines and lines whose first non-space character is `#` are comments;
///   CR before LF is whitespace, so CRLF files read like LF files;
/// - `export KEY=value` is `KEY=value`; `KEY: value` (YAML style) is `KEY=value`; spaces around the key are dropped;
/// - an unquoted value runs to the end of the line, is cut at the first ` #` (space, hash: a tab before `#` does not
///   start a comment), loses its trailing whitespace and then has its variables substituted (`$VAR`, `${VAR}`,
///   `${VAR:-default}`, `$$` for a literal `$`; see ``ComposeTemplate``); backslashes are literal;
/// - a single-quoted value is literal (only `\'` is an escape) and may span lines;
/// - a double-quoted value may span lines; `\"` is a quote, `\a \b \f \n \r \t \v \\` are the control characters,
///   `\$` is a literal `$`, `\0NNN` is an octal byte, any other backslash stays; then its variables are substituted;
/// - a variable is looked up in the process environment first, then among the values set above it.
///
/// Stricter than Compose, each refused with the line, the key and a fix: a line without `=` (Compose would copy
/// the name from the environment), a key other than letters, digits and `_` (nothing in a Compose file could refer
/// to it), text after a closing quote (Compose would read it as another variable), a key set twice (Compose keeps
/// the last), bytes that are not UTF-8, and a value Compose itself refuses. No
/// message quotes a value: a line may hold a secret.
public struct EnvFile: Hashable, Sendable {
    /// How a value was written.
    public enum Quoting: String, Hashable, Sendable {
        case none, single, double
    }

    public struct Entry: Hashable, Sendable {
        public let key: String
        /// The value Compose gives the variable.
        public let value: String
        /// The line the key is on (1-based).
        public let line: Int
        public let quoting: Quoting
        /// The variables Compose substituted into the value (`$VAR`, `${VAR…}`), in order; empty for a literal.
        public let references: [String]

        public init(key: String, value: String, line: Int, quoting: Quoting = .none, references: [String] = []) {
            self.key = key
            self.value = value
            self.line = line
            self.quoting = quoting
            self.references = references
        }
    }

    public let path: String
    public let entries: [Entry]

    public init(path: String, entries: [Entry]) {
        self.path = path
        self.entries = entries
    }

    /// The value of `key`, if the file sets it.
    public subscript(key: String) -> String? { entries.first { $0.key == key }?.value }

    /// The line that sets `key`, if any.
    public func line(of key: String) -> Int? { entries.first { $0.key == key }?.line }

    /// Parses `text`, collecting every problem before throwing.
    public static func parse(
        _ text: String, path: String, environment: [String: String] = [:]
    ) throws(SettingsError) -> EnvFile {
        let (file, issues) = parseCollectingIssues(text, path: path, environment: environment)
        if !issues.isEmpty { throw SettingsError(issues) }
        return file
    }

    /// Parses raw bytes: a line that is not UTF-8 is reported with its number, and nothing else is read.
    public static func parseCollectingIssues(
        bytes: [UInt8], path: String, environment: [String: String] = [:]
    ) -> (EnvFile, [SettingsIssue]) {
        var issues: [SettingsIssue] = []
        var lineNumber = 1
        var lineStart = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x0A {
            let line = bytes[lineStart..<index]
            if String(validating: line, as: UTF8.self) == nil {
                issues.append(
                    SettingsIssue(
                        file: path, line: lineNumber, key: nil,
                        message: "line \(lineNumber) is not UTF-8 text",
                        fix: "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`), or retype the line"))
            }
            lineNumber += 1
            lineStart = index + 1
        }
        guard issues.isEmpty else { return (EnvFile(path: path, entries: []), issues) }
        return parseCollectingIssues(String(decoding: bytes, as: UTF8.self), path: path, environment: environment)
    }

    /// Parses what it can of `text` and returns the problems of the lines it could not take.
    public static func parseCollectingIssues(
        _ text: String, path: String, environment: [String: String] = [:]
    ) -> (EnvFile, [SettingsIssue]) {
        var parser = Parser(text: text, path: path, environment: environment)
        parser.run()
        return (EnvFile(path: path, entries: parser.entries), parser.issues)
    }

    /// A file that sets every catalog default, as `.env.example` does.
    public static func defaults(
        path: String, definitions: [SettingDefinition] = SettingsCatalog.definitions()
    ) -> EnvFile {
        EnvFile(
            path: path,
            entries: definitions.enumerated().map {
                Entry(key: $0.element.key, value: $0.element.defaultValue, line: $0.offset + 1)
            })
    }

    /// `value` written so that Compose (and this reader) reads back exactly `value`: bare when it holds only
    /// characters that mean nothing to the parser, else double-quoted with `\\`, `\"`, `\$` and `\n` escaped.
    public static func literal(_ value: String) -> String {
        let plain = value.unicodeScalars.allSatisfy {
            ComposeTemplate.isNameCharacter($0) && $0.isASCII || "./:@%+,=-~^*!?&<>;|()[]{}".unicodeScalars.contains($0)
        }
        if plain && !value.isEmpty { return value }
        var output = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": output += "\\\\"
            case "\"": output += "\\\""
            case "$": output += "\\$"
            case "\n": output += "\\n"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }

    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || isLetter(first) else { return false }
        return key.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    /// The keys the catalog marks secret: no message may show anything of their lines but the key.
    static let secretKeys: Set<String> = Set(SettingsCatalog.definitions().filter(\.isSecret).map(\.key))

    /// Every key the catalog defines.
    static let knownKeys: Set<String> = Set(SettingsCatalog.definitions().map(\.key))
}

/// The statement scanner of compose-go `dotenv/parser.go`, collecting problems instead of stopping at the first.
private struct Parser {
    let scalars: [Unicode.Scalar]
    let path: String
    let environment: [String: String]
    var entries: [EnvFile.Entry] = []
    var issues: [SettingsIssue] = []
    private var values: [String: String] = [:]
    private var firstLine: [String: Int] = [:]
    private var lineStarts: [Int] = [0]
    private var position = 0

    init(text: String, path: String, environment: [String: String]) {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        self.scalars = scalars
        self.path = path
        self.environment = environment
        for (index, scalar) in scalars.enumerated() where scalar == "\n" { lineStarts.append(index + 1) }
    }

    /// 1-based line of a scalar offset.
    func line(at offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low + 1
    }

    /// Go's `unicode.IsSpace`.
    static func isUnicodeSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace }

    /// The parser's `isSpace`: whitespace that is not a line break.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        ["\t", "\u{0B}", "\u{0C}", "\r", " ", "\u{85}", "\u{A0}"].contains(scalar)
    }

    func endOfLine(from offset: Int) -> Int {
        var index = offset
        while index < scalars.count && scalars[index] != "\n" { index += 1 }
        return index
    }

    /// Whether the line holding `offset` names a secret key anywhere (it may be a malformed secret line).
    func mentionsSecret(lineAt offset: Int) -> Bool {
        let number = line(at: offset)
        let start = lineStarts[number - 1]
        let text = String(String.UnicodeScalarView(scalars[start..<endOfLine(from: start)])).uppercased()
        // An indexer's key (`INDEXER_<NAME>_API_KEY`) is a secret no definition declares.
        return EnvFile.secretKeys.contains { text.contains($0) } || text.contains("_API_KEY")
    }

    mutating func issue(_ offset: Int, key: String?, _ message: String, _ fix: String) {
        issues.append(SettingsIssue(file: path, line: line(at: offset), key: key, message: message, fix: fix))
    }

    mutating func skipLine() { position = min(scalars.count, endOfLine(from: position) + 1) }

    mutating func run() {
        while true {
            // getStatementStart: skip whitespace and comment lines.
            while position < scalars.count && Self.isUnicodeSpace(scalars[position]) { position += 1 }
            guard position < scalars.count else { return }
            if scalars[position] == "#" {
                skipLine()
                continue
            }
            statement()
        }
    }

    private mutating func statement() {
        let start = position
        // locateKeyName: `export` followed by whitespace is dropped.
        let exportWord = Array("export".unicodeScalars)
        if position + exportWord.count < scalars.count,
            Array(scalars[position..<(position + exportWord.count)]) == exportWord,
            ["\t", "\n", "\u{0C}", "\r", " "].contains(scalars[position + exportWord.count])
        {
            position += exportWord.count
            while position < scalars.count && Self.isSpace(scalars[position]) { position += 1 }
        }
        let keyStart = position
        var terminator: Unicode.Scalar?
        var index = keyStart
        while index < scalars.count {
            let scalar = scalars[index]
            if Self.isSpace(scalar) {
                index += 1
                continue
            }
            if scalar == "=" || scalar == ":" || scalar == "\n" {
                terminator = scalar
                break
            }
            let allowed =
                "_.-[]".unicodeScalars.contains(scalar)
                || {
                    switch scalar.properties.generalCategory {
                    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                        .decimalNumber, .letterNumber, .otherNumber:
                        return true
                    default: return false
                    }
                }()
            if !allowed {
                let secret = mentionsSecret(lineAt: start)
                issue(
                    start, key: nil,
                    secret
                        ? "the line of a secret is not KEY=value (unexpected character in the name)"
                        : "the line is not KEY=value: a name cannot contain \(Self.describe(scalar))",
                    "write it as KEY=value with a name of letters, digits and _, or start it with # to make it a"
                        + " comment")
                skipLine()
                return
            }
            index += 1
        }
        var rawKey = String(String.UnicodeScalarView(scalars[keyStart..<index]))
        while let last = rawKey.unicodeScalars.last, Self.isUnicodeSpace(last) { rawKey.unicodeScalars.removeLast() }
        guard let terminator, terminator != "\n", !rawKey.contains(" ") else {
            // Compose: a name alone copies the variable from the environment; a name with a space is an error.
            // Only a name the catalog knows is shown: anything else on the line may be a pasted secret.
            let firstWord = String(rawKey.prefix { $0 != " " && $0 != "\t" })
            let known = EnvFile.knownKeys.contains(firstWord) ? firstWord : nil
            issue(
                start, key: known,
                "the line \(known.map { "starting with \($0) " } ?? "")is not KEY=value",
                "write it as KEY=value (e.g. \(known ?? "TZ")=…), or start it with # to make it a comment")
            position = min(scalars.count, index + 1)
            if terminator == nil { position = scalars.count }
            return
        }
        let key = rawKey
        position = index + 1
        while position < scalars.count && Self.isSpace(scalars[position]) { position += 1 }
        let secret = EnvFile.secretKeys.contains(key) || NewznabIndexer.isAPIKeySetting(key)
        guard EnvFile.isValidKey(key) else {
            let shown = mentionsSecret(lineAt: start) ? "this name" : "'\(SettingsIssue.excerpt(key))'"
            issue(
                start, key: nil, "\(shown) is not a valid variable name",
                "use letters, digits and _ only, starting with a letter or _ (e.g. CONFIG_ROOT)")
            // Read past the value (it may be quoted over several lines) without reporting on it.
            let reported = issues.count
            _ = value(key: key, secret: true, start: start)
            issues.removeSubrange(reported...)
            return
        }
        guard let parsed = value(key: key, secret: secret, start: start) else { return }
        if let previous = firstLine[key] {
            issue(
                start, key: key, "\(key) is set twice (first on line \(previous))",
                "keep one of the two lines; Compose would silently use the last one")
            return
        }
        firstLine[key] = line(at: start)
        values[key] = parsed.value
        entries.append(
            EnvFile.Entry(
                key: key, value: parsed.value, line: line(at: start), quoting: parsed.quoting,
                references: parsed.references))
    }

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar.properties.generalCategory == .control || scalar == "\u{FFFD}" {
            return "the control character U+\(String(scalar.value, radix: 16, uppercase: true))"
        }
        return "'\(Character(scalar))'"
    }

    /// extractVarValue: reads the value at `position`; nil (with an issue) when the line cannot be used.
    private mutating func value(
        key: String, secret: Bool, start: Int
    ) -> (value: String, quoting: EnvFile.Quoting, references: [String])? {
        let quote = position < scalars.count ? scalars[position] : nil
        var raw: [Unicode.Scalar]
        let quoting: EnvFile.Quoting
        if let quote, quote == "\"" || quote == "'" {
            quoting = quote == "\"" ? .double : .single
            var characters: [Unicode.Scalar] = []
            var escaped = false
            var index = position + 1
            var closed = false
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar != quote {
                    if !escaped && scalar == "\\" {
                        escaped = true
                    } else {
                        if escaped { characters.append("\\") }
                        escaped = false
                        characters.append(scalar)
                    }
                    index += 1
                    continue
                }
                if escaped {
                    escaped = false
                    characters.append(scalar)
                    index += 1
                    continue
                }
                closed = true
                break
            }
            guard closed else {
                issue(
                    start, key: key, "the value of \(key) opens a \(quote) quote that is never closed",
                    "close the quote at the end of the value")
                skipLine()
                return nil
            }
            position = index + 1
            // After the closing quote only a comment may follow on this line; Compose would read more text as the
            // start of another variable.
            var after = position
            while after < scalars.count && scalars[after] != "\n" && Self.isUnicodeSpace(scalars[after]) { after += 1 }
            if after < scalars.count && scalars[after] != "\n" && scalars[after] != "#" {
                let closing = line(at: index)
                let opening = line(at: start)
                issue(
                    start, key: key,
                    "\(key) has text after its closing quote"
                        + (closing == opening
                            ? "" : " (the quote opened on line \(opening) closes only on line \(closing))"),
                    closing == opening
                        ? "put the whole value inside the quotes" : "close the quote at the end of line \(opening)")
                skipLine()
                return nil
            }
            raw = quoting == .double ? Self.expandEscapes(characters) : characters
        } else {
            quoting = .none
            let end = endOfLine(from: position)
            var line = Array(scalars[position..<end])
            position = min(scalars.count, end + 1)
            if let cut = (0..<max(0, line.count - 1)).first(where: { line[$0] == " " && line[$0 + 1] == "#" }) {
                line = Array(line[..<cut])
            }
            while let last = line.last, Self.isUnicodeSpace(last) { line.removeLast() }
            raw = line
        }
        let text = String(String.UnicodeScalarView(raw))
        var result = (value: text, quoting: quoting, references: [String]())
        if quoting != .single {
            let environment = environment
            let values = values
            let substituted = ComposeTemplate { environment[$0] ?? values[$0] }.substitute(text)
            if let failure = substituted.failure {
                let reason: String
                switch failure {
                case .invalidTemplate: reason = "a `${` that does not start a variable (Compose: invalid template)"
                case .missingRequired(let name):
                    reason = "a required variable that is not set (\(SettingsIssue.excerpt(name)))"
                }
                issue(
                    start, key: key, "Compose refuses the value of \(key): it holds \(reason)",
                    "write a literal $ as $$ (or put the value in single quotes), or define the variable above it")
                return nil
            }
            result = (substituted.value, quoting, substituted.references)
        }
        if secret && !result.references.isEmpty {
            issue(
                start, key: key,
                "Compose would substitute a variable into the secret \(key) (a $ followed by a name or {), so the"
                    + " containers would get another value than the one written here",
                "write each literal $ as $$, or put the whole value in single quotes ('…')")
            return nil
        }
        return result
    }

    /// compose-go `expandEscapes`: `\a \b \f \n \r \t \v \" \\` as Go reads them, `\$` to `$$`, `\0NNN` octal.
    static func expandEscapes(_ characters: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        var index = 0
        while index < characters.count {
            guard characters[index] == "\\", index + 1 < characters.count else {
                output.append(characters[index])
                index += 1
                continue
            }
            let next = characters[index + 1]
            let simple: [Unicode.Scalar: Unicode.Scalar] = [
                "a": "\u{07}", "b": "\u{08}", "c": "c", "f": "\u{0C}", "n": "\n", "r": "\r", "t": "\t", "v": "\u{0B}",
                "\"": "\"", "\\": "\\",
            ]
            if next == "$" {
                output.append(contentsOf: ["$", "$"])
                index += 2
            } else if next == "c" {
                // In the pattern, but not an escape Go knows: UnquoteChar fails and the match stays as written.
                output.append(contentsOf: ["\\", "c"])
                index += 2
            } else if let replacement = simple[next] {
                output.append(replacement)
                index += 2
            } else if next == "0" {
                var end = index + 2
                while end < characters.count && end < index + 5 && ("0"..."9").contains(characters[end]) { end += 1 }
                // `\0NNN` becomes `\NNN`; Go reads exactly three octal digits up to 255, else keeps the rewrite.
                let digits = Array(characters[(index + 2)..<end])
                if digits.count == 3, digits.allSatisfy({ ("0"..."7").contains($0) }),
                    let number = UInt32(String(String.UnicodeScalarView(digits)), radix: 8), number <= 255,
                    let scalar = Unicode.Scalar(number)
                {
                    output.append(scalar)
                } else {
                    output.append("\\")
                    output.append(contentsOf: digits)
                }
                index = end
            } else {
                output.append("\\")
                index += 1
            }
        }
        return output
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> Substring {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }
}
