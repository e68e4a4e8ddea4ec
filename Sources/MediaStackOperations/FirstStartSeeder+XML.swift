import Foundation
import MediaStack

extension FirstStartSeeder {
    /// Merges our keys into a file .NET's `XmlSerializer` reads and writes (Jellyfin's `network.xml`): one element per
    /// key directly under the root; a list is `<string>` items. Elements the file lacks keep the app's defaults, so
    /// a new file holds our keys alone. The user's elements, items and values stay; nothing else is rewritten.
    func mergeXML(
        _ seed: FirstStartSeed, root: String, _ text: String, path: String, notes: inout [Note]
    ) throws(SeedError) -> String {
        var document =
            text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            ? "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<\(root) xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
                + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n</\(root)>\n"
            : text
        guard document.range(of: "<\(root)[\\s>]", options: .regularExpression) != nil,
            document.range(of: "</\(root)>", options: .backwards) != nil
        else {
            throw SeedError(
                file: path, message: "has no <\(root)> … </\(root)> element",
                fix: "restore the file from a backup, or move it away while the app is stopped so it writes a new one")
        }
        for entry in seed.entries {
            guard entry.path.count == 2, entry.path[0] == root, let (value, _) = desired(entry) else { continue }
            let name = entry.path[1]
            let element = Self.xmlElement(name, in: document)
            switch value {
            case .listIncluding(let items):
                let current = element.map { Self.xmlItems(in: String(document[$0.content])) } ?? []
                let missing = items.filter { !current.contains($0) }
                guard !missing.isEmpty else { continue }
                let indent = element.map { Self.indentation(before: $0.whole.lowerBound, in: document) } ?? "  "
                let lines = (current + missing).map { "\(indent)  <string>\(Self.xmlEscaped($0))</string>" }
                let replacement = "<\(name)>\n" + lines.joined(separator: "\n") + "\n\(indent)</\(name)>"
                if let element {
                    document.replaceSubrange(element.whole, with: replacement)
                } else {
                    Self.insertBeforeRootEnd("\(indent)\(replacement)\n", root: root, in: &document)
                }
                notes.append(
                    Note(key: "\(entry.name) (\(missing.joined(separator: ", ")))", outcome: .added, detail: nil))
            default:
                let ours = Self.xmlEscaped(Self.iniText(value))
                if let element {
                    let theirs = String(document[element.content]).trimmingCharacters(in: .whitespacesAndNewlines)
                    if !theirs.isEmpty {
                        if theirs != ours {
                            notes.append(
                                Note(key: entry.name, outcome: .kept, detail: "\(theirs) (ours would be \(ours))"))
                        }
                        continue
                    }
                    document.replaceSubrange(element.whole, with: "<\(name)>\(ours)</\(name)>")
                } else {
                    Self.insertBeforeRootEnd("  <\(name)>\(ours)</\(name)>\n", root: root, in: &document)
                }
                notes.append(Note(key: entry.name, outcome: .added, detail: nil))
            }
        }
        return document
    }

    /// The element `<name>…</name>` or `<name />` in `document`: its whole range and its content's (empty for the
    /// self-closing form).
    static func xmlElement(_ name: String, in document: String) -> (
        whole: Range<String.Index>, content: Range<String.Index>
    )? {
        if let empty = document.range(of: "<\(name)\\s*/>", options: .regularExpression) {
            return (empty, empty.upperBound..<empty.upperBound)
        }
        guard let open = document.range(of: "<\(name)>"),
            let close = document.range(of: "</\(name)>", range: open.upperBound..<document.endIndex)
        else { return nil }
        return (open.lowerBound..<close.upperBound, open.upperBound..<close.lowerBound)
    }

    /// The `<string>` items of a list element's content, unescaped.
    static func xmlItems(in content: String) -> [String] {
        var items: [String] = []
        var rest = content[...]
        while let open = rest.range(of: "<string>"),
            let close = rest.range(of: "</string>", range: open.upperBound..<rest.endIndex)
        {
            items.append(xmlUnescaped(String(rest[open.upperBound..<close.lowerBound])))
            rest = rest[close.upperBound...]
        }
        return items
    }

    /// The spaces before the element at `index` on its line (its indentation).
    static func indentation(before index: String.Index, in document: String) -> String {
        let lineStart = document[..<index].lastIndex(of: "\n").map { document.index(after: $0) } ?? document.startIndex
        let prefix = document[lineStart..<index]
        return prefix.allSatisfy { $0 == " " || $0 == "\t" } ? String(prefix) : "  "
    }

    static func insertBeforeRootEnd(_ text: String, root: String, in document: inout String) {
        guard let close = document.range(of: "</\(root)>", options: .backwards) else { return }
        // At the start of the closing tag's line, so the new element gets a line of its own.
        let lineStart = document[..<close.lowerBound].lastIndex(of: "\n").map { document.index(after: $0) }
        if let lineStart, document[lineStart..<close.lowerBound].allSatisfy({ $0 == " " || $0 == "\t" }) {
            document.insert(contentsOf: text, at: lineStart)
        } else {
            document.insert(contentsOf: "\n" + text, at: close.lowerBound)
        }
    }

    static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static func xmlUnescaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
