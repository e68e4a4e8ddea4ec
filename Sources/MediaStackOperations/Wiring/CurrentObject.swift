import MediaStack

/// One object as the app reported it.
public struct CurrentObject: Sendable, Hashable {
    public let id: Int
    public let key: String
    /// Flattened values: top-level members by name, provider settings as `fields.<name>`.
    public let values: [String: WireJSON]

    public init(id: Int, key: String, values: [String: WireJSON]) {
        self.id = id
        self.key = key
        self.values = values
    }

    /// Reads an object of a list the app returned; nil when it lacks an id or the match field.
    public init?(_ json: WireJSON, matchField: String) {
        guard case .object(let members) = json, let id = members["id"]?.int,
            let key = members[matchField]?.string
        else { return nil }
        var values: [String: WireJSON] = [:]
        for (name, value) in members where name != "fields" { values[name] = value }
        for field in members["fields"]?.array ?? [] {
            if let name = field["name"]?.string { values["fields.\(name)"] = field["value"] ?? .null }
        }
        self.init(id: id, key: key, values: values)
    }
}
