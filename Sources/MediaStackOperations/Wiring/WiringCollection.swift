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
