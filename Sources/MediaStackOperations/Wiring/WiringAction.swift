import MediaStack

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
