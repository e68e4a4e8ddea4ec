import MediaStack

/// One object as the wiring wants it.
public struct DesiredObject: Sendable, Hashable {
    public let collection: WiringCollection
    /// The value of the collection's match field, e.g. `SABnzbd` or `/data/media/tv`.
    public let key: String
    /// The body sent to create it (and, with its id, to update it).
    public let body: WireJSON
    /// The values that decide drift, flattened (`fields.host`); secrets are left out, because the apps answer
    /// them masked.
    public let compared: [String: WireJSON]

    public init(collection: WiringCollection, key: String, body: WireJSON, compared: [String: WireJSON]) {
        self.collection = collection
        self.key = key
        self.body = body
        self.compared = compared
    }
}
