import Foundation

/// Probes one target. Injected so `mediaserver health` and its tests share one seam.
public protocol HealthProbing: Sendable {
    func probe(_ target: ProbeTarget, timeout: Duration) async -> ProbeOutcome
}
