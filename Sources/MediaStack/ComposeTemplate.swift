/// Compose's variable substitution (`$VAR`, `${VAR}`, `${VAR:-default}`, `$$`, …), as its dotenv loader applies it
/// to unquoted and double-quoted values.
///
/// A port of compose-spec/compose-go `template/template.go` (v2.13/v2.14, the versions Docker Compose v5 pins):
/// the pattern `\$(?i:(\$)|([_a-z][_a-z0-9]*)|{(?:([_a-z][_a-z0-9]*(?::?[-+?](.*))?)}|()))` is matched left to
/// right; a braced match is cut at its first balanced `}` (`getFirstBraceClosingIndex`), the operator is the one
/// that occurs first, a default is substituted only when it is used, and the first error fails the whole value.
/// `(?i)` folds `k` to the Kelvin sign and `s` to the long s, so those two count as name characters too.
public struct ComposeTemplate: Sendable {
    /// Why Compose refuses a value.
    public enum Failure: Error, Hashable, Sendable {
        /// `${` not followed by a name and `}` (Compose: `Invalid template`).
        case invalidTemplate
        /// `${NAME?message}` or `${NAME:?message}` with NAME unset (or empty).
        case missingRequired(name: String)
    }

    /// The outcome of substituting one value.
    public struct Result: Hashable, Sendable {
        /// The value with every substitution applied (for a failure, what Compose had built so far).
        public let value: String
        /// Names of the variables the value refers to, in order (`$$` is not a reference).
        public let references: [String]
        /// The first reason Compose would refuse the value, if any.
        public let failure: Failure?
    }

    private let lookup: @Sendable (String) -> String?

    /// `lookup` answers a variable's value, or nil when it is unset.
    public init(lookup: @escaping @Sendable (String) -> String?) { self.lookup = lookup }

    /// Substitutes every variable in `text`.
    public func substitute(_ text: String) -> Result {
        var references: [String] = []
        var failure: Failure?
        let value = substitute(Array(text.unicodeScalars), references: &references, failure: &failure)
        return Result(value: value, references: references, failure: failure)
    }

    private enum Match {
        case escaped
        case named(String)
        case braced(content: [Unicode.Scalar])
        case invalid
    }

    private func substitute(
        _ scalars: [Unicode.Scalar], references: inout [String], failure: inout Failure?
    ) -> String {
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "$", let end = Self.match(scalars, at: index)?.1 else {
                output.append(scalars[index])
                index += 1
                continue
            }
            let replacement = replace(Array(scalars[index..<end]), references: &references, failure: &failure)
            output.append(contentsOf: replacement.unicodeScalars)
            index = end
        }
        return String(output)
    }

    /// `DefaultReplacementAppliedFunc`: the replacement of one matched substring.
    private func replace(
        _ substring: [Unicode.Scalar], references: inout [String], failure: inout Failure?
    ) -> String {
        var trimmed = substring
        var rest: [Unicode.Scalar] = []
        if let closing = Self.firstBraceClosingIndex(substring) {
            rest = Array(substring[(closing + 1)...])
            trimmed = Array(substring[...closing])
        }
        guard let (match, _) = Self.match(trimmed, at: 0) else { return "" }
        switch match {
        case .escaped:
            return "$"
        case .invalid:
            if failure == nil { failure = .invalidTemplate }
            return ""
        case .named(let name):
            references.append(name)
            return lookup(name) ?? ""
        case .braced(let content):
            let operation = Self.firstOperator(in: substring)
            if let operation, let (name, argument) = Self.partition(content, at: operation.rawValue) {
                references.append(name)
                let value = lookup(name)
                var applied: String
                switch operation {
                case .requiredNonEmpty, .required:
                    let valid = value.map { operation == .required || !$0.isEmpty } ?? false
                    guard valid else {
                        var nested: Failure?
                        _ = substitute(argument, references: &references, failure: &nested)
                        if failure == nil { failure = nested ?? .missingRequired(name: name) }
                        return ""
                    }
                    applied = value ?? ""
                case .defaultNonEmpty, .defaultUnset:
                    let useDefault = value.map { operation == .defaultNonEmpty && $0.isEmpty } ?? true
                    var nested: Failure?
                    applied = useDefault ? substitute(argument, references: &references, failure: &nested) : value ?? ""
                    if let nested {
                        if failure == nil { failure = nested }
                        return ""
                    }
                case .alternativeNonEmpty, .alternativeSet:
                    let useAlternative = value.map { operation == .alternativeSet || !$0.isEmpty } ?? false
                    var nested: Failure?
                    applied =
                        useAlternative ? substitute(argument, references: &references, failure: &nested) : value ?? ""
                    if let nested {
                        if failure == nil { failure = nested }
                        return ""
                    }
                }
                var nested: Failure?
                let tail = substitute(rest, references: &references, failure: &nested)
                if let nested {
                    if failure == nil { failure = nested }
                    return ""
                }
                return applied + tail
            }
            let name = String(String.UnicodeScalarView(content))
            references.append(name)
            return lookup(name) ?? ""
        }
    }

    private enum Operator: String, CaseIterable {
        case requiredNonEmpty = ":?"
        case required = "?"
        case defaultNonEmpty = ":-"
        case defaultUnset = "-"
        case alternativeNonEmpty = ":+"
        case alternativeSet = "+"
    }

    /// `getSubstitutionFunctionForTemplate`: the operator that occurs first in the matched substring.
    private static func firstOperator(in substring: [Unicode.Scalar]) -> Operator? {
        var best: (Operator, Int)?
        for operation in Operator.allCases {
            guard let index = firstIndex(of: Array(operation.rawValue.unicodeScalars), in: substring) else { continue }
            if best == nil || index < (best?.1 ?? .max) { best = (operation, index) }
        }
        return best?.0
    }

    private static func firstIndex(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle
        {
            return start
        }
        return nil
    }

    private static func partition(
        _ content: [Unicode.Scalar], at separator: String
    ) -> (String, [Unicode.Scalar])? {
        let needle = Array(separator.unicodeScalars)
        guard let index = firstIndex(of: needle, in: content) else { return nil }
        return (String(String.UnicodeScalarView(content[..<index])), Array(content[(index + needle.count)...]))
    }

    /// `getFirstBraceClosingIndex`: the `}` that closes the first `{`; the character after each `{` is skipped.
    private static func firstBraceClosingIndex(_ scalars: [Unicode.Scalar]) -> Int? {
        var open = 0
        var index = 0
        while index < scalars.count {
            if scalars[index] == "}" {
                open -= 1
                if open == 0 { return index }
            }
            if scalars[index] == "{" {
                open += 1
                index += 1
            }
            index += 1
        }
        return nil
    }

    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "\u{17F}"
            || scalar == "\u{212A}"
    }

    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isNameStart(scalar) || ("0"..."9").contains(scalar)
    }

    /// The pattern's match starting at `start` (where a `$` is), and where it ends.
    private static func match(_ scalars: [Unicode.Scalar], at start: Int) -> (Match, Int)? {
        let next = start + 1
        guard next < scalars.count else { return nil }
        let first = scalars[next]
        if first == "$" { return (.escaped, next + 1) }
        if isNameStart(first) {
            var end = next + 1
            while end < scalars.count && isNameCharacter(scalars[end]) { end += 1 }
            return (.named(String(String.UnicodeScalarView(scalars[next..<end]))), end)
        }
        guard first == "{" else { return nil }
        let nameStart = next + 1
        guard nameStart < scalars.count, isNameStart(scalars[nameStart]) else { return (.invalid, next + 1) }
        var nameEnd = nameStart + 1
        while nameEnd < scalars.count && isNameCharacter(scalars[nameEnd]) { nameEnd += 1 }
        // The optional `:?[-+?](.*)` group, then `}`; `.*` is greedy and stops at a line break.
        var afterOperator: Int?
        if nameEnd + 1 < scalars.count, scalars[nameEnd] == ":", "-+?".unicodeScalars.contains(scalars[nameEnd + 1]) {
            afterOperator = nameEnd + 2
        } else if nameEnd < scalars.count, "-+?".unicodeScalars.contains(scalars[nameEnd]) {
            afterOperator = nameEnd + 1
        }
        if let afterOperator {
            var lineEnd = afterOperator
            while lineEnd < scalars.count && scalars[lineEnd] != "\n" { lineEnd += 1 }
            if let close = (afterOperator..<lineEnd).last(where: { scalars[$0] == "}" }) {
                return (.braced(content: Array(scalars[nameStart..<close])), close + 1)
            }
        }
        if nameEnd < scalars.count, scalars[nameEnd] == "}" {
            return (.braced(content: Array(scalars[nameStart..<nameEnd])), nameEnd + 1)
        }
        return (.invalid, next + 1)
    }
}
