import Foundation

/// A `${NAME}` reference (with an optional `:-default`, `-default`, `:?message` or `?message` tail) inside a
/// rendered value, as Docker Compose interpolates it.
public struct VariableReference: Hashable, Sendable {
    public let name: String
    /// Whether the reference carries its own default (`${NAME:-x}`), so an unset variable is not an error.
    public let hasDefault: Bool

    /// Every reference in `text`, in order. `$$` escapes are skipped.
    public static func all(in text: String) -> [VariableReference] {
        var references: [VariableReference] = []
        var index = text.startIndex
        while index < text.endIndex {
            guard text[index] == "$" else {
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            if next < text.endIndex, text[next] == "$" {
                index = text.index(after: next)
                continue
            }
            guard next < text.endIndex, text[next] == "{", let close = text[next...].firstIndex(of: "}") else {
                index = next
                continue
            }
            let body = text[text.index(after: next)..<close]
            let nameEnd = body.firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? body.endIndex
            let name = String(body[..<nameEnd])
            let tail = body[nameEnd...]
            if !name.isEmpty {
                references.append(
                    VariableReference(name: name, hasDefault: tail.hasPrefix(":-") || tail.hasPrefix("-")))
            }
            index = text.index(after: close)
        }
        return references
    }

    /// `text` with every `${NAME}` (exactly, without a tail) whose name is in `values` replaced by its value.
    public static func substitute(_ text: String, _ values: [String: String]) -> String {
        var result = text
        for (name, value) in values { result = result.replacingOccurrences(of: "${\(name)}", with: value) }
        return result
    }
}
