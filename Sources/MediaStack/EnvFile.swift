import Foundation

/// A parsed dotenv file (`KEY=value` lines) in the dialect Docker Compose reads.
///
/// Accepted: blank lines, `#` comments, unquoted values (a ` #` starts a trailing comment), single-quoted values
/// (literal) and double-quoted values (`\"`, `\\`, `\n` escapes). Rejected, with the line and a fix: lines without
/// `=`, invalid keys, unterminated quotes, text after a closing quote, and a key set twice.
public struct EnvFile: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public let key: String
        public let value: String
        public let line: Int
    }

    public let path: String
    public let entries: [Entry]

    /// The value of `key`, if the file sets it.
    public subscript(key: String) -> String? { entries.first { $0.key == key }?.value }

    /// The line that sets `key`, if any.
    public func line(of key: String) -> Int? { entries.first { $0.key == key }?.line }

    /// Parses `text`, collecting every problem before throwing.
    public static func parse(_ text: String, path: String) throws(SettingsError) -> EnvFile {
        let (file, issues) = parseCollectingIssues(text, path: path)
        if !issues.isEmpty { throw SettingsError(issues) }
        return file
    }

    /// Parses what it can of `text` and returns the problems of the lines it could not take.
    public static func parseCollectingIssues(_ text: String, path: String) -> (EnvFile, [SettingsIssue]) {
        var entries: [Entry] = []
        var issues: [SettingsIssue] = []
        var firstLine: [String: Int] = [:]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                issues.append(
                    SettingsIssue(
                        file: path, line: number, key: nil,
                        message: "line is not KEY=value: \(String(trimmed).prefix(60))",
                        fix: "write it as KEY=value, or start it with # to make it a comment"))
                continue
            }
            let key = String(trimmed[..<equals]).trimmingCharacters(in: .whitespaces)
            guard isValidKey(key) else {
                issues.append(
                    SettingsIssue(
                        file: path, line: number, key: key,
                        message: "'\(key)' is not a valid variable name",
                        fix: "use letters, digits and _ only, starting with a letter or _ (e.g. CONFIG_ROOT)"))
                continue
            }
            switch parseValue(trimmed[trimmed.index(after: equals)...]) {
            case .success(let value):
                if let previous = firstLine[key] {
                    issues.append(
                        SettingsIssue(
                            file: path, line: number, key: key,
                            message: "\(key) is set twice (first on line \(previous))",
                            fix: "keep one of the two lines; Compose would silently use the last one"))
                } else {
                    firstLine[key] = number
                    entries.append(Entry(key: key, value: value, line: number))
                }
            case .failure(let problem):
                issues.append(SettingsIssue(file: path, line: number, key: key, message: problem.0, fix: problem.1))
            }
        }
        return (EnvFile(path: path, entries: entries), issues)
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

    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || first.properties.isASCIIHexDigit || isLetter(first)
        else { return false }
        if ("0"..."9").contains(first) { return false }
        return key.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private enum ValueResult {
        case success(String)
        case failure((String, String))
    }

    private static func parseValue(_ raw: Substring) -> ValueResult {
        let value = raw.trimmingWhitespace()
        guard let quote = value.first, quote == "\"" || quote == "'" else {
            // Unquoted: a '#' after whitespace starts a comment, as in Compose.
            var result = Substring(value)
            if let hash = result.range(of: " #") ?? result.range(of: "\t#") {
                result = result[..<hash.lowerBound]
            }
            return .success(String(result.trimmingWhitespace()))
        }
        var output = ""
        var index = value.index(after: value.startIndex)
        while index < value.endIndex {
            let character = value[index]
            if character == quote {
                let rest = value[value.index(after: index)...].trimmingWhitespace()
                if !rest.isEmpty && !rest.hasPrefix("#") {
                    return .failure(
                        (
                            "text after the closing quote: \(rest.prefix(30))",
                            "put the whole value inside the quotes"
                        ))
                }
                return .success(output)
            }
            if quote == "\"" && character == "\\" {
                let next = value.index(after: index)
                if next < value.endIndex {
                    switch value[next] {
                    case "n": output.append("\n")
                    case "t": output.append("\t")
                    default: output.append(value[next])
                    }
                    index = value.index(after: next)
                    continue
                }
            }
            output.append(character)
            index = value.index(after: index)
        }
        return .failure(("the value's \(quote) quote is never closed", "close the quote at the end of the value"))
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
