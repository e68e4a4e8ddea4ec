import ArgumentParser
import Foundation
import MediaStack
import MediaStackOperations

#if canImport(Glibc)
    import Glibc
#endif

/// `mediaserver upgrade [SERVICE...]`: the plan, then the run (MediaStackOperations/Upgrade), printed.
struct UpgradeExecution {
    let command: UpgradeCommand

    /// The result of `upgrade --json`.
    struct Report: Encodable {
        let ok: Bool
        let dryRun: Bool
        let plan: UpgradePlan?
        var steps: [UpgradeRun.StepResult] = []
        var error: String? = nil
        /// The signal (1 SIGHUP, 2 SIGINT, 15 SIGTERM) that stopped the run, when one did.
        var interrupted: Int32? = nil
    }

    func run() async throws {
        let common = command.common
        let settings = try common.loadSettings()
        let stack = Stack(settings: settings)
        let chosen: [Service]
        do {
            chosen = try UpgradePlan.services(named: command.services, in: stack)
        } catch {
            try fail(error, plan: nil)
        }
        if !command.json { Console.error("asking the registries of \(chosen.count) services for newer tags …") }
        let client = RegistryClient(
            endpoints: try command.endpoints(), timeout: .milliseconds(Int(command.timeout * 1000)))
        let results = await UpgradeCheck(client: client, allowMajor: command.major || command.to != nil).run(
            chosen.map(UpgradeCheck.Subject.init))
        let plan: UpgradePlan
        do {
            plan = try UpgradePlan.make(
                services: chosen, results: results, target: command.to, configRoot: settings[.configRoot])
        } catch {
            try fail(error, plan: nil)
        }
        if !command.json { printPlan(plan) }
        if plan.steps.isEmpty || command.dryRun {
            if command.json { try Console.json(Report(ok: true, dryRun: command.dryRun, plan: plan)) }
            if !command.json && plan.steps.isEmpty { Console.error("nothing to upgrade") }
            return
        }
        try confirm(plan)
        let deployment = try await Deployment.open(common, render: true)
        let envFile = common.envFile ?? ".env"
        // The deployment's own backup job (`docker compose exec` in its backup container), archive only.
        let backup = BackupDriver(
            stack: deployment.stack,
            mode: .compose(
                .init(
                    cli: deployment.driver.cli, checkout: common.renderFolder(envFile),
                    envFile: common.composeSettingsPath(envFile))),
            progress: { Console.error($0) })
        // The tools run in process groups of their own: a Ctrl-C on the terminal reaches this process only, which
        // stops them itself, and never a `docker compose` or `cp` of a rollback halfway.
        let runner = SubprocessRunner(stopGracePeriod: 10)
        let driver = ComposeDriver(
            cli: deployment.driver.cli, runner: runner, root: deployment.driver.root,
            envFile: deployment.driver.envFile)
        let engine = ComposeUpgradeEngine(
            driver: driver, stack: deployment.stack, checkout: common.rootURL, settingsPath: envFile,
            renderFolder: common.renderFolder(envFile),
            backup: { _ = try await backup.run(createOnly: true) })
        let envURL = URL(fileURLWithPath: envFile, relativeTo: common.rootURL)
        let text = FileManager.default.contents(atPath: envURL.path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let seconds = command.healthTimeout ?? Int(settings[.upgradeHealthTimeout]) ?? 300
        let stop = UpgradeStop()
        let run = UpgradeRun(
            engine: engine,
            snapshots: ConfigSnapshots(configRoot: settings[.configRoot], runner: runner),
            settingsText: text, healthTimeout: .seconds(seconds), stop: stop, progress: { Console.error($0) })
        let report: UpgradeRun.Report
        do {
            report = try await UpgradeSignals.watching(stop) { () async throws(UpgradeError) in
                try await run.run(plan)
            }
        } catch {
            try fail(error, plan: plan)
        }
        if command.json {
            try Console.json(
                Report(ok: report.ok, dryRun: false, plan: plan, steps: report.steps, interrupted: report.interrupted))
        } else {
            printResults(report)
        }
        if let signal = report.interrupted { throw ExitCode.interrupted(by: signal) }
        if !report.ok { throw ExitCode.failure }
    }

    /// Prints `error` (and the JSON report) and exits: 64 for a usage error, 128 + the signal for a stop request,
    /// 1 otherwise.
    func fail(_ error: UpgradeError, plan: UpgradePlan?) throws -> Never {
        var signal: Int32?
        if case .interrupted(let number, _) = error { signal = number }
        if command.json {
            try? Console.json(
                Report(ok: false, dryRun: command.dryRun, plan: plan, error: "\(error)", interrupted: signal))
        }
        Console.error("error: \(error)")
        if let signal { throw ExitCode.interrupted(by: signal) }
        throw error.isUsage ? ExitCode.validationFailure : ExitCode.failure
    }

    /// Asks on a terminal; without one, --yes is required.
    func confirm(_ plan: UpgradePlan) throws {
        guard !command.yes else { return }
        guard isatty(STDIN_FILENO) == 1 else {
            Console.error("error: not on a terminal, so nobody can confirm the plan; pass --yes to upgrade")
            throw ExitCode.validationFailure
        }
        FileHandle.standardError.write(Data("back up, then upgrade \(plan.steps.count) service(s)? [y/N] ".utf8))
        guard let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased(), ["y", "yes"].contains(answer)
        else {
            Console.error("nothing was changed")
            throw ExitCode.failure
        }
    }

    func printPlan(_ plan: UpgradePlan) {
        let width = (plan.steps.map(\.service.count).max() ?? 7) + 2
        for step in plan.steps {
            Console.output(
                step.service.padding(toLength: width, withPad: " ", startingAt: 0) + "\(step.from) → \(step.to)"
                    + (step.releaseNotes.map { "  (release notes: \($0))" } ?? ""))
        }
        for service in plan.upToDate {
            Console.output(service.padding(toLength: width, withPad: " ", startingAt: 0) + "up to date")
        }
    }

    func printResults(_ report: UpgradeRun.Report) {
        for step in report.steps {
            switch step.outcome {
            case .upgraded: Console.output("\(step.service): upgraded \(step.from) → \(step.to)")
            case .rolledBack:
                let state =
                    switch step.healthyAgain {
                    case true?: "; healthy again"
                    case false?: "; not healthy yet (`mediaserver ps`)"
                    case nil: "; started, its health not waited for (`mediaserver ps`)"
                    }
                Console.output(
                    "\(step.service): rolled back to \(step.from) with its config folder as before: \(step.reason ?? "")"
                        + state)
            case .notUpgraded, .skipped, .rollbackFailed:
                Console.output("\(step.service): \(step.outcome.rawValue): \(step.reason ?? "")")
            }
        }
        let upgraded = report.steps.filter { $0.outcome == .upgraded }.count
        Console.error(
            "\(upgraded) of \(report.steps.count) services upgraded"
                + (report.interrupted.map { "; stopped by \(UpgradeError.signalName($0))" } ?? ""))
    }
}

/// SIGINT, SIGTERM and SIGHUP (`SignalWatch.stopSignals`) while an upgrade runs: each one is a stop request for
/// ``UpgradeRun`` instead of the end of the process. The first stops the step in progress and puts its service back;
/// later ones cannot cut that short (a config folder half moved back or a half-written `.env` is what this avoids),
/// they only skip the last wait, for the health of the previous image.
enum UpgradeSignals {
    static func watching<T: Sendable>(
        _ stop: UpgradeStop, _ body: () async throws(UpgradeError) -> T
    ) async throws(UpgradeError) -> T {
        try await SignalWatch.during(
            handler: { number in
                stop.request(number)
                let name = UpgradeError.signalName(number)
                if stop.count == 1 {
                    Console.error(
                        "\(name): stopping; a service being upgraded is put back as it was (its config folder, .env"
                            + " and previous image), which takes a moment; another Ctrl-C only skips the wait for its"
                            + " health")
                } else {
                    Console.error(
                        "\(name) again: the service in progress is still being put back, which is not cut short (a"
                            + " half-moved config folder or half-written .env would be worse); the wait for its health"
                            + " is skipped. If the process is killed (kill -9) before it is done, its copy stays in"
                            + " CONFIG_ROOT/.pre-upgrade/<service>: docs/upgrade.md says what to do with it")
                }
            }, body)
    }
}
