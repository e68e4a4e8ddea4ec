import MediaStack

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
