import MediaStack

/// A collection of objects in one app's API that the wiring reconciles, such as Sonarr's download clients.
public struct WiringCollection: Sendable, Hashable {
    /// What the app calls one object, for plans and messages (`download client`).
    public let kind: String
    /// The collection's path (`/api/v3/downloadclient`): GET lists, POST creates, PUT `path/{id}` updates.
    public let path: String
    /// The member that identifies an object across runs (`name`, or `path` for root folders).
    public let matchField: String
    /// Whether the app compares names without regard to case (the *arr apps refuse `sabnzbd` beside `SABnzbd`).
    public let caseInsensitive: Bool
    /// Whether the app can update an object in place (root folders cannot).
    public let updatable: Bool

    public init(kind: String, path: String, matchField: String, caseInsensitive: Bool = true, updatable: Bool = true) {
        self.kind = kind
        self.path = path
        self.matchField = matchField
        self.caseInsensitive = caseInsensitive
        self.updatable = updatable
    }
}

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

/// What the wiring does with one desired object.
public enum WiringChange: Sendable, Hashable {
    /// Missing: create it.
    case create
    /// Ours, and these values drifted: update it.
    case update(drifted: [String])
    /// Ours and as desired.
    case unchanged
    /// An object of that name exists that the wiring did not make: left alone.
    case userMade
    /// Ours but drifted, and the app cannot update it in place: left alone.
    case driftedNotUpdatable(drifted: [String])
    /// Only a person can do this step (claiming Plex); the text says how.
    case needsPerson(String)
}

/// One line of a plan.
public struct WiringAction: Sendable, Hashable {
    public let app: ServiceName
    public let kind: String
    public let key: String
    public let change: WiringChange
    /// The app's id of the existing object, for updates.
    public let existingID: Int?
    public let desired: DesiredObject?

    public init(
        app: ServiceName, kind: String, key: String, change: WiringChange, existingID: Int? = nil,
        desired: DesiredObject? = nil
    ) {
        self.app = app
        self.kind = kind
        self.key = key
        self.change = change
        self.existingID = existingID
        self.desired = desired
    }

    /// Whether carrying out the action calls the app.
    public var changesSomething: Bool {
        switch change {
        case .create, .update: true
        case .unchanged, .userMade, .driftedNotUpdatable, .needsPerson: false
        }
    }

    /// The action in a few words, e.g. `create download client "SABnzbd"`.
    public var description: String {
        let object = "\(kind) \"\(key)\""
        switch change {
        case .create: return "create \(object)"
        case .update(let drifted): return "update \(object) (\(drifted.joined(separator: ", ")) drifted)"
        case .unchanged: return "\(object) is as desired"
        case .userMade: return "\(object) was made by hand: left alone"
        case .driftedNotUpdatable(let drifted):
            return "\(object) differs (\(drifted.joined(separator: ", "))) and cannot be updated: left alone"
        case .needsPerson(let steps): return "\(object): \(steps)"
        }
    }
}

/// Plans from the desired objects, what the app holds and what earlier runs created: create what is missing,
/// update what the wiring owns and what drifted, and leave everything else alone. Nothing is ever deleted.
public struct WiringPlanner: Sendable {
    public init() {}

    public func plan(
        app: ServiceName, desired: [DesiredObject], current: [WiringCollection: [CurrentObject]],
        owned: WiringOwnership
    ) -> [WiringAction] {
        desired.map { object in
            let collection = object.collection
            let match = current[collection, default: []].first {
                collection.caseInsensitive ? $0.key.lowercased() == object.key.lowercased() : $0.key == object.key
            }
            guard let match else {
                return WiringAction(
                    app: app, kind: collection.kind, key: object.key, change: .create, desired: object)
            }
            // Only the object this tool created (same id) is ours; one a person made under that name is not.
            guard owned.id(app: app, path: collection.path, key: object.key) == match.id else {
                return WiringAction(
                    app: app, kind: collection.kind, key: object.key, change: .userMade, existingID: match.id,
                    desired: object)
            }
            let drifted = object.compared.keys.sorted().filter { match.values[$0] != object.compared[$0] }
            let change: WiringChange =
                drifted.isEmpty
                ? .unchanged : collection.updatable ? .update(drifted: drifted) : .driftedNotUpdatable(drifted: drifted)
            return WiringAction(
                app: app, kind: collection.kind, key: object.key, change: change, existingID: match.id,
                desired: object)
        }
    }
}
