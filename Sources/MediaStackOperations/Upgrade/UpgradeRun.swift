import Foundation
import MediaStack

/// Carries out an ``UpgradePlan``: checks the space for the config copies, backs up, pulls every new image, then
/// per service (in plan order) stops it, copies its config folder, stores the new tag in the settings and renders
/// them, recreates it and waits for its health. A service that does not become healthy in time is rolled back:
/// stopped, its config folder put back as it was before (apps migrate their databases on start, so the previous
/// image needs the previous folder), the previous tag stored and rendered again, and started again. The services
/// after it are left as they are.
///
/// A stop request (``UpgradeStop``, made on SIGINT, SIGTERM or SIGHUP) is a failure of the step in progress: before any
/// service changed (the backup, a pull) the run stops there; during a service's upgrade that service is put back
/// as on a failed health check, and the services after it are skipped.
public struct UpgradeRun: Sendable {
    /// What became of one service.
    public enum Outcome: String, Sendable, Hashable, Encodable {
        /// Runs the new tag, healthy.
        case upgraded
        /// Did not become healthy; runs the previous tag with its previous config folder again.
        case rolledBack = "rolled-back"
        /// Stopped before anything changed (its config folder could not be copied, or the settings not written);
        /// started again as it was.
        case notUpgraded = "not-upgraded"
        /// The rollback itself failed: the reason says what to do by hand.
        case rollbackFailed = "rollback-failed"
        /// Not attempted, because a service before it failed.
        case skipped
    }

    /// The result for one service.
    public struct StepResult: Sendable, Hashable, Encodable {
        public let service: String
        public let from: String
        public let to: String
        public let outcome: Outcome
        /// The tag the service runs now.
        public let running: String
        /// Why it was not upgraded, when it was not.
        public let reason: String?
        /// After a rollback: whether the previous image became healthy again in time.
        public let healthyAgain: Bool?
    }

    /// The result of the whole run.
    public struct Report: Sendable, Hashable, Encodable {
        public let ok: Bool
        public let steps: [StepResult]
        /// The signal that stopped the run, when one did.
        public var interrupted: Int32? = nil
    }

    public let engine: any UpgradeEngine
    public let snapshots: ConfigSnapshots
    /// The settings file's text before the upgrade; each step adds its tag to it.
    public let settingsText: String
    public let healthTimeout: Duration
    /// Stop requests (SIGINT, SIGTERM, SIGHUP) the run obeys.
    public let stop: UpgradeStop
    public let progress: @Sendable (String) -> Void

    public init(
        engine: any UpgradeEngine, snapshots: ConfigSnapshots, settingsText: String, healthTimeout: Duration,
        stop: UpgradeStop = UpgradeStop(), progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.engine = engine
        self.snapshots = snapshots
        self.settingsText = settingsText
        self.healthTimeout = healthTimeout
        self.stop = stop
        self.progress = progress
    }

    /// Runs the plan. Throws, with nothing changed, when the space check, the backup or a pull fails; otherwise
    /// returns what became of each service.
    public func run(_ plan: UpgradePlan) async throws(UpgradeError) -> Report {
        guard !plan.steps.isEmpty else { return Report(ok: true, steps: []) }
        try snapshots.requireSpace(for: plan.steps.compactMap(\.configFolder))
        let engine = self.engine
        progress("backing up before the upgrade …")
        do {
            guard try await stop.race({ try await engine.backup() }) != nil else { throw stopped("the backup") }
        } catch let error as UpgradeError {
            throw error
        } catch {
            throw stop.signal == nil ? .backupFailed("\(error)") : stopped("the backup")
        }
        // Every image first: a pull that fails (registry down, tag gone, disk full) then changes no service.
        for step in plan.steps {
            progress("pulling \(step.reference) …")
            let reference = step.reference
            do {
                guard try await stop.race({ try await engine.pull(reference) }) != nil else {
                    throw stopped("the pull of \(reference)")
                }
            } catch let error as UpgradeError {
                throw error
            } catch {
                throw stop.signal == nil
                    ? .pullFailed(reference: step.reference, reason: "\(error)") : stopped("the pull of \(reference)")
            }
        }
        var text = settingsText
        var results: [StepResult] = []
        var interrupted: Int32?
        for step in plan.steps {
            if let signal = stop.signal {
                interrupted = signal
                results.append(
                    StepResult(
                        service: step.service, from: step.from, to: step.to, outcome: .skipped, running: step.from,
                        reason: "not attempted: \(UpgradeError.signalName(signal)) stopped the upgrade",
                        healthyAgain: nil))
                continue
            }
            if let last = results.last, last.outcome != .upgraded {
                results.append(
                    StepResult(
                        service: step.service, from: step.from, to: step.to, outcome: .skipped, running: step.from,
                        reason: "not attempted after \(last.service) was not upgraded", healthyAgain: nil))
                continue
            }
            let (result, newText) = await upgrade(step, settings: text)
            if let signal = stop.signal, result.outcome != .upgraded { interrupted = signal }
            results.append(result)
            text = newText
        }
        return Report(
            ok: interrupted == nil && results.allSatisfy { $0.outcome == .upgraded }, steps: results,
            interrupted: interrupted)
    }

    /// The error of a stop request before any service changed.
    private func stopped(_ phase: String) -> UpgradeError {
        .interrupted(signal: stop.signal ?? 2, phase: phase)
    }

    /// Why a step stopped on a request: "SIGINT while …".
    private func interruption(_ phase: String) -> String {
        "\(UpgradeError.signalName(stop.signal ?? 2)) while \(phase)"
    }

    /// One service; returns its result and the settings text now in force.
    func upgrade(_ step: UpgradePlan.Step, settings before: String) async -> (StepResult, String) {
        func result(_ outcome: Outcome, running: String, reason: String?, healthyAgain: Bool? = nil) -> StepResult {
            StepResult(
                service: step.service, from: step.from, to: step.to, outcome: outcome, running: running,
                reason: reason, healthyAgain: healthyAgain)
        }
        let after = EnvFileWriter.setting(step.setting, to: step.to, in: before)
        let engine = self.engine
        let snapshots = self.snapshots
        let healthTimeout = self.healthTimeout
        // Stopped first, so the copy is of a folder no process is writing to.
        progress("\(step.service): stopping \(step.image):\(step.from) …")
        do {
            guard try await stop.race({ try await engine.stop(step.service, in: step.stack) }) != nil else {
                // Stopped or not, it runs its previous image with its untouched folder once started again.
                let restarted = await restart(step, seen: stop.count)
                let reason = interruption("stopping it") + "; started again as it was"
                return (result(.notUpgraded, running: step.from, reason: reason, healthyAgain: restarted), before)
            }
        } catch {
            _ = try? await engine.start(step.service, in: step.stack)
            return (result(.notUpgraded, running: step.from, reason: "could not stop it: \(error)"), before)
        }
        var copy: String?
        if let folder = step.configFolder {
            progress("\(step.service): copying \(folder) …")
            let existed = FileManager.default.fileExists(atPath: snapshots.snapshotPath(of: folder))
            do {
                guard let taken = try await stop.race({ try await snapshots.take(folder) }) else {
                    // The copy tool is stopped; a partial copy is removed (never one an earlier run left).
                    if !existed { snapshots.discard(snapshots.snapshotPath(of: folder)) }
                    let restarted = await restart(step, seen: stop.count)
                    let reason = interruption("copying \(folder)") + "; started again as it was"
                    return (result(.notUpgraded, running: step.from, reason: reason, healthyAgain: restarted), before)
                }
                copy = taken
            } catch {
                let restarted = await restart(step, seen: stop.count)
                return (result(.notUpgraded, running: step.from, reason: "\(error)", healthyAgain: restarted), before)
            }
        }
        do {
            try await engine.applySettings(after)
        } catch {
            if let copy { snapshots.discard(copy) }
            let restarted = await restart(step, seen: stop.count)
            return (
                result(
                    .notUpgraded, running: step.from, reason: "\(UpgradeError.settingsWriteFailed("\(error)"))",
                    healthyAgain: restarted), before
            )
        }
        var failure: String?
        if stop.signal == nil {
            progress("\(step.service): starting \(step.reference) …")
            do {
                let outcome = try await stop.race {
                    try await engine.start(step.service, in: step.stack)
                    return await engine.waitHealthy(step.service, in: step.stack, timeout: healthTimeout)
                }
                failure = outcome ?? interruption("starting \(step.to) and waiting for its health")
            } catch {
                failure = "could not start: \(error)"
            }
            // A tool the signal stopped fails on its own: the request, not the tool's exit, is the cause.
            if failure != nil, stop.signal != nil {
                failure = interruption("starting \(step.to) and waiting for its health")
            }
        } else {
            failure = interruption("writing the settings")
        }
        guard let failure else {
            if let copy { snapshots.discard(copy) }
            progress("\(step.service): \(step.to) is healthy")
            return (result(.upgraded, running: step.to, reason: nil), after)
        }
        progress(
            stop.signal == nil
                ? "\(step.service): \(step.to) did not become healthy (\(failure)); rolling back to \(step.from) …"
                : "\(step.service): \(failure); rolling back to \(step.from) …")
        return await rollBack(
            step, copy: copy, failure: failure, interrupted: stop.signal != nil, settings: before, after: after)
    }

    /// Puts the previous config folder, tag and container back.
    func rollBack(
        _ step: UpgradePlan.Step, copy: String?, failure: String, interrupted: Bool = false, settings before: String,
        after: String
    ) async -> (StepResult, String) {
        // A stop request from here on only cuts the last health wait short.
        let seen = stop.count
        func failed(_ what: String, running: String, settings: String) -> (StepResult, String) {
            let kept = copy.map { " The copy of its config folder from before the upgrade is in \($0)." } ?? ""
            return (
                StepResult(
                    service: step.service, from: step.from, to: step.to, outcome: .rollbackFailed, running: running,
                    reason: "\(step.to) did not become healthy (\(failure)), and the rollback failed: \(what).\(kept)"
                        + " Restore it from the backup taken before the upgrade (docs/restore.md).",
                    healthyAgain: nil), settings
            )
        }
        do {
            try await engine.stop(step.service, in: step.stack)
        } catch {
            return failed("could not stop it (\(error))", running: step.to, settings: after)
        }
        if let copy, let folder = step.configFolder {
            do {
                try snapshots.restore(folder, from: copy)
            } catch {
                return failed("could not put \(copy) back as \(folder) (\(error))", running: step.to, settings: after)
            }
        }
        do {
            try await engine.applySettings(before)
        } catch {
            return failed("could not write the previous tag back (\(error))", running: step.to, settings: after)
        }
        let healthy = await restart(step, seen: seen)
        let state =
            switch healthy {
            case true?: "; healthy again"
            case false?: "; not healthy yet: `mediaserver ps` shows its state"
            case nil: "; started, its health not waited for: `mediaserver ps` shows its state"
            }
        progress("\(step.service): rolled back to \(step.from) with its config folder as before the upgrade" + state)
        return (
            StepResult(
                service: step.service, from: step.from, to: step.to, outcome: .rolledBack, running: step.from,
                reason: interrupted ? failure : "\(step.to) did not become healthy within the timeout (\(failure))",
                healthyAgain: healthy),
            before
        )
    }

    /// Starts the service from the current settings and reports whether it became healthy in time; nil when a
    /// stop request made meanwhile cut the health wait short (the service is started either way: the start is
    /// never cut short).
    func restart(_ step: UpgradePlan.Step, seen: Int) async -> Bool? {
        do {
            try await engine.start(step.service, in: step.stack)
        } catch {
            return false
        }
        let engine = self.engine
        let healthTimeout = self.healthTimeout
        let outcome = try? await stop.race(beyond: seen) {
            await engine.waitHealthy(step.service, in: step.stack, timeout: healthTimeout)
        }
        guard let outcome else { return nil }
        return outcome == nil
    }
}
