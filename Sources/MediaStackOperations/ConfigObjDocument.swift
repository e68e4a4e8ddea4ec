import Foundation

/// An INI file in the dialect of Python's configobj, which SABnzbd (`sabnzbd/config.py`: `configobj.ConfigObj`) and
/// Tautulli (`plexpy/config.py`: `ConfigObj(config_file, encoding='utf-8')`) read and write: `[section]` and nested
/// `[[subsection]]` markers, `key = value` lines, `#` comments, quoted values, comma-separated lists, triple-quoted
/// multi-line values.
///
/// Editing is line-based, so everything a user wrote (comments, order, spacing, keys we do not know) stays byte for
/// byte: a key is inserted after the last key of its section, a missing section is appended at the end.
public struct ConfigObjDocument: Sendable {
    /// A parsed value: configobj turns an unquoted comma into a list (`a, b`, `a,`).
    public enum Value: Hashable, Sendable {
        case single(String)
        case list([String])

        /// The value's items: one for a single value.
        public var items: [String] {
            switch self {
            case .single(let value): value.isEmpty ? [] : [value]
            case .list(let items): items
            }
        }

        /// Whether the value is empty (`key =`, `key = ""`, or an empty list).
        public var isEmpty: Bool { items.isEmpty }
    }

    enum Line: Sendable {
        case other(String)
        case section(depth: Int, name: String, text: String)
        /// One key; a triple-quoted value spans `text` lines.
        case key(name: String, value: Value?, text: [String])
    }

    /// The file's name, for messages.
    public let path: String
    private var lines: [Line]
    /// Whether the original text ended with a newline.
    private let endsWithNewline: Bool

    /// Parses `text`, refusing what configobj refuses (it would not load the file): a line that is neither a
    /// comment, a section marker nor `key = value`, a section nested more than one level below its parent,
    /// mismatched brackets, an unterminated triple quote, a duplicate key or section.
    public init(_ text: String, path: String) throws(SeedError) {
        self.path = path
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        endsWithNewline = normalized.isEmpty || normalized.hasSuffix("\n")
        var raw = normalized.components(separatedBy: "\n")
        if endsWithNewline { raw.removeLast() }
        var parsed: [Line] = []
        var index = 0
        var depth = 0
        var scope: [String] = []
        var seen: Set<[String]> = []
        func fail(_ line: Int, _ message: String) -> SeedError {
            SeedError(
                file: path, line: line, message: message,
                fix: "correct or remove that line (the app cannot read the file as it is), then run the command"
                    + " again")
        }
        while index < raw.count {
            let text = raw[index]
            let number = index + 1
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            index += 1
            if trimmed.isEmpty || trimmed.hasPrefix("#") {
                parsed.append(.other(text))
                continue
            }
            if trimmed.hasPrefix("[") {
                guard let (sectionDepth, name) = Self.sectionMarker(trimmed) else {
                    throw fail(number, "is not a valid section marker")
                }
                guard sectionDepth <= depth + 1 else {
                    throw fail(number, "section [\(name)] is nested more than one level below its parent")
                }
                scope = Array(scope.prefix(sectionDepth - 1)) + [name]
                depth = sectionDepth
                guard seen.insert(["["] + scope).inserted else {
                    throw fail(number, "section [\(name)] appears twice")
                }
                parsed.append(.section(depth: sectionDepth, name: name, text: text))
                continue
            }
            guard let equals = Self.keySeparator(trimmed) else {
                throw fail(number, "is neither a comment, a [section] nor key = value")
            }
            let name = Self.unquote(String(trimmed[..<equals]).trimmingCharacters(in: .whitespaces))
            var rawValue = String(trimmed[trimmed.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            var texts = [text]
            var value: Value?
            if let quote = ["\"\"\"", "'''"].first(where: { rawValue.hasPrefix($0) }) {
                // A triple-quoted value may span lines; we never change one, so its text is kept as it is.
                var body = String(rawValue.dropFirst(3))
                while !body.contains(quote) {
                    guard index < raw.count else { throw fail(number, "has a \(quote) value that never ends") }
                    texts.append(raw[index])
                    body += "\n" + raw[index]
                    index += 1
                }
                rawValue = ""
                value = .single(String(body[..<(body.range(of: quote)?.lowerBound ?? body.endIndex)]))
            } else {
                value = Self.parseValue(rawValue)
                guard value != nil else {
                    throw fail(number, "has a value configobj cannot read (unbalanced quotes, or text after a quote)")
                }
            }
            guard seen.insert(scope + [name]).inserted else { throw fail(number, "sets \(name) twice") }
            parsed.append(.key(name: name, value: value, text: texts))
        }
        lines = parsed
    }

    /// The text, with a trailing newline.
    public var text: String {
        let joined = lines.flatMap { line -> [String] in
            switch line {
            case .other(let text): [text]
            case .section(_, _, let text): [text]
            case .key(_, _, let text): text
            }
        }.joined(separator: "\n")
        return joined.isEmpty ? "" : joined + "\n"
    }

    /// The value of `key` in the section at `section` (e.g. `["misc"]`, `["categories", "tv"]`); nil when absent.
    public func value(_ key: String, in section: [String]) -> Value? {
        guard let range = keyRange(of: section) else { return nil }
        for line in lines[range] {
            if case .key(let name, let value, _) = line, name == key { return value }
        }
        return nil
    }

    /// Whether the section at `section` exists.
    public func hasSection(_ section: [String]) -> Bool { sectionStart(section) != nil }

    /// Sets `key` in `section` to `value`, replacing an existing line of that key or inserting one after the
    /// section's last key; the section (and its parents) are appended at the end of the file when missing.
    public mutating func set(_ key: String, _ value: Value, in section: [String]) {
        let line = Line.key(name: key, value: value, text: ["\(key) = \(Self.format(value))"])
        if keyRange(of: section) == nil { appendSection(section) }
        guard let range = keyRange(of: section) else { return }
        if let existing = lines[range].firstIndex(where: {
            if case .key(let name, _, _) = $0 { return name == key }
            return false
        }) {
            lines[existing] = line
        } else {
            lines.insert(line, at: range.upperBound)
        }
    }

    /// Appends the markers of `section` and of its missing parents, at the end of the parent section.
    private mutating func appendSection(_ section: [String]) {
        guard let name = section.last else { return }
        let parent = Array(section.dropLast())
        if !parent.isEmpty && !hasSection(parent) { appendSection(parent) }
        let marker = String(repeating: "[", count: section.count) + name + String(repeating: "]", count: section.count)
        let end = parent.isEmpty ? lines.endIndex : sectionEnd(parent)
        lines.insert(.section(depth: section.count, name: name, text: marker), at: end)
    }

    /// The index of the marker of `section`, or nil.
    private func sectionStart(_ section: [String]) -> Int? {
        var scope: [String] = []
        for (index, line) in lines.enumerated() {
            guard case .section(let depth, let name, _) = line else { continue }
            scope = Array(scope.prefix(depth - 1)) + [name]
            if scope == section { return index }
        }
        return nil
    }

    /// The index after the last line of `section` and all of its subsections.
    private func sectionEnd(_ section: [String]) -> Int {
        guard let start = sectionStart(section) else { return lines.endIndex }
        var index = start + 1
        while index < lines.endIndex {
            if case .section(let depth, _, _) = lines[index], depth <= section.count { break }
            index += 1
        }
        // Keep trailing blank lines and comments with what follows.
        while index > start + 1, case .other = lines[index - 1] { index -= 1 }
        return index
    }

    /// The lines holding the keys of `section` itself (before its first subsection), ending after its last key;
    /// nil when the section is missing. The top level is `[]`.
    private func keyRange(of section: [String]) -> Range<Int>? {
        let start: Int
        if section.isEmpty {
            start = 0
        } else {
            guard let found = sectionStart(section) else { return nil }
            start = found + 1
        }
        var end = start
        var lastKey = start
        while end < lines.endIndex {
            if case .section = lines[end] { break }
            if case .key = lines[end] { lastKey = end + 1 }
            end += 1
        }
        return start..<lastKey
    }

    // MARK: - configobj's syntax

    /// `[name]`, `[[name]]`, …: the depth and the (unquoted) name, or nil when the brackets do not match.
    static func sectionMarker(_ trimmed: String) -> (Int, String)? {
        var body = Substring(trimmed)
        if let hash = body.firstIndex(of: "#"), body[..<hash].contains("]") { body = body[..<hash] }
        body = body.drop { $0 == " " }
        while body.last == " " || body.last == "\t" { body = body.dropLast() }
        let open = body.prefix { $0 == "[" }.count
        let close = body.reversed().prefix { $0 == "]" }.count
        guard open > 0, open == close, body.count > open + close else { return nil }
        let name = body.dropFirst(open).dropLast(close).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        return (open, unquote(name))
    }

    /// The position of the `=` that separates key and value (a quoted key may contain one).
    static func keySeparator(_ trimmed: String) -> String.Index? {
        if let quote = trimmed.first, quote == "\"" || quote == "'" {
            guard let close = trimmed.dropFirst().firstIndex(of: quote) else { return nil }
            return trimmed[trimmed.index(after: close)...].firstIndex(of: "=")
        }
        return trimmed.firstIndex(of: "=")
    }

    static func unquote(_ text: String) -> String {
        if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
            return String(text.dropFirst().dropLast())
        }
        return text
    }

    /// A value as configobj's `_valueexp` reads it: items separated by unquoted commas, an unquoted `#` starting a
    /// comment; a comma makes a list. Nil for an unbalanced quote.
    static func parseValue(_ raw: String) -> Value? {
        var items: [String] = []
        var current = ""
        var quote: Character?
        var sawComma = false
        var quoted = false
        for character in raw {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
                continue
            }
            if character == "#" { break }
            // After a closing quote only spaces may come before the comma or comment.
            if quoted && character != "," {
                guard character == " " || character == "\t" else { return nil }
                continue
            }
            if (character == "\"" || character == "'") && current.trimmingCharacters(in: .whitespaces).isEmpty {
                quote = character
                quoted = true
                current = ""
                continue
            }
            if character == "," {
                sawComma = true
                items.append(quoted ? current : current.trimmingCharacters(in: .whitespaces))
                current = ""
                quoted = false
                continue
            }
            current.append(character)
        }
        guard quote == nil else { return nil }
        let last = quoted ? current : current.trimmingCharacters(in: .whitespaces)
        if !sawComma { return .single(last) }
        if !last.isEmpty || quoted { items.append(last) }
        return .list(items.filter { !$0.isEmpty })
    }

    /// A value as configobj writes it: plain when safe, else quoted; a one-item list keeps a trailing comma.
    static func format(_ value: Value) -> String {
        switch value {
        case .single(let text): quote(text)
        case .list(let items):
            switch items.count {
            case 0: ","
            case 1: quote(items[0]) + ","
            default: items.map(quote).joined(separator: ", ")
            }
        }
    }

    static func quote(_ text: String) -> String {
        let special =
            text.isEmpty || text.contains(",") || text.contains("#") || text.first == " "
            || text.last == " " || text.first == "\"" || text.first == "'"
        guard special else { return text }
        return text.contains("\"") ? "'\(text)'" : "\"\(text)\""
    }
}
