import MediaStack

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
