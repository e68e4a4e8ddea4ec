import Foundation
import MediaStack

/// The wiring of one app: it reads the app's state, plans, and carries out one action at a time.
public protocol AppWiring: Sendable {
    var app: ServiceName { get }
    /// Reads what the app holds and returns what should change.
    func plan(_ context: WiringContext) async throws(WiringFailure) -> [WiringAction]
    /// Carries out one action of the plan.
    func apply(_ action: WiringAction, _ context: WiringContext) async throws(WiringFailure)
    /// Apps of a later wave start when every app of the earlier waves is done (Seerr signs in to Jellyfin with the
    /// password Jellyfin's wiring stored).
    var wave: Int { get }
    /// Whether this step needs the app's other steps done first (Seerr's proxy trust needs Seerr's sign-in):
    /// `WiringRun` then runs it in the wave after the latest of theirs, whichever waves those are.
    var followsTheAppsOtherSteps: Bool { get }
}

extension AppWiring {
    public var wave: Int { 0 }
    public var followsTheAppsOtherSteps: Bool { false }
}
