import Yams

/// Builds YAML with a declared key order and byte-stable output.
///
/// Keys and values go through `String.represented()`, which quotes anything a YAML 1.1 reader could take for a
/// number, boolean, null or date (`'022'`, `'yes'`, `'2222:22'`), so Compose, PyYAML and Go readers all get the
/// exact string we meant.
public indirect enum YAMLValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([YAMLValue])
    case map([(String, YAMLValue)])
    /// A list written on one line (`[a, b]`), for short exec arrays.
    case flowList([String])

    public static func == (lhs: YAMLValue, rhs: YAMLValue) -> Bool { lhs.node == rhs.node }
    public func hash(into hasher: inout Hasher) { hasher.combine(node) }

    var node: Node {
        switch self {
        case .string(let value):
            if value.contains("\n") { return Node(value, Tag(.str), .literal) }
            return .scalar(value.represented())
        case .int(let value):
            return Node(String(value), Tag(.int), .plain)
        case .bool(let value):
            return Node(value ? "true" : "false", Tag(.bool), .plain)
        case .list(let items):
            return .sequence(Node.Sequence(items.map(\.node)))
        case .flowList(let items):
            return .sequence(Node.Sequence(items.map { .scalar($0.represented()) }, Tag(.seq), .flow))
        case .map(let pairs):
            return .mapping(Node.Mapping(pairs.map { (.scalar($0.0.represented()), $0.1.node) }))
        }
    }

    /// Serialises the value as a YAML document: two-space indent, no line folding, LF and a trailing newline.
    public func yaml(header: [String] = []) throws -> String {
        let body = try Yams.serialize(
            node: node, indent: 2, width: -1, allowUnicode: true, lineBreak: .ln, explicitStart: false,
            sortKeys: false)
        let comments = header.map { "# \($0)\n" }.joined()
        return comments + body
    }
}
