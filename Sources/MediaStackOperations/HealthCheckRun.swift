import Foundation
import MediaStack

/// Probes many targets at once, each with its own timeout, and returns the outcomes in target order.
public struct HealthCheckRun: Sendable {
    public let prober: any HealthProbing
    public let timeout: Duration

    public init(prober: any HealthProbing, timeout: Duration = .seconds(5)) {
        self.prober = prober
        self.timeout = timeout
    }

    /// Probes concurrently; the run takes about as long as the slowest probe.
    public func run(_ targets: [ProbeTarget]) async -> [ProbeOutcome] {
        await withTaskGroup(of: (Int, ProbeOutcome).self) { group in
            for (index, target) in targets.enumerated() {
                group.addTask { (index, await prober.probe(target, timeout: timeout)) }
            }
            var outcomes = [ProbeOutcome?](repeating: nil, count: targets.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes.compactMap { $0 }
        }
    }

    /// Probes one after another: the baseline the concurrent run is measured against.
    public func runSequentially(_ targets: [ProbeTarget]) async -> [ProbeOutcome] {
        var outcomes: [ProbeOutcome] = []
        for target in targets { outcomes.append(await prober.probe(target, timeout: timeout)) }
        return outcomes
    }
}
