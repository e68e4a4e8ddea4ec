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
        let engine = ComposeUpgradeEngine(
            driver: deployment.driver, stack: deployment.stack, checkout: common.rootURL, settingsPath: envFile,
            renderFolder: common.renderFolder(envFile),
            backup: { _ = try await backup.run(createOnly: true) })
        let envURL = URL(fileURLWithPath: envFile, relativeTo: common.rootURL)
        let text = FileManager.default.contents(atPath: envURL.path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let seconds = command.healthTimeout ?? Int(settings[.upgradeHealthTimeout]) ?? 300
        let run = UpgradeRun(
            engine: engine,
            snapshots: ConfigSnapshots(configRoot: settings[.configRoot], runner: SubprocessRunner()),
            settingsText: text, healthTimeout: .seconds(seconds), progress: { Console.error($0) })
        let report: UpgradeRun.Report
        do {
            report = try await run.run(plan)
        } catch {
            try fail(error, plan: plan)
        }
        if command.json {
            try Console.json(Report(ok: report.ok, dryRun: false, plan: plan, steps: report.steps))
        } else {
            printResults(report)
        }
        if !report.ok { throw ExitCode.failure }
    }

    /// Prints `error` (and the JSON report) and exits: 64 for a usage error, 1 otherwise.
    func fail(_ error: UpgradeError, plan: UpgradePlan?) throws -> Never {
        if command.json { try? Console.json(Report(ok: false, dryRun: command.dryRun, plan: plan, error: "\(error)")) }
        Console.error("error: \(error)")
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
                Console.output(
                    "\(step.service): rolled back to \(step.from) with its config folder as before: \(step.reason ?? "")"
                        + (step.healthyAgain == true ? "; healthy again" : "; not healthy yet (`mediaserver ps`)"))
            case .notUpgraded, .skipped, .rollbackFailed:
                Console.output("\(step.service): \(step.outcome.rawValue): \(step.reason ?? "")")
            }
        }
        let upgraded = report.steps.filter { $0.outcome == .upgraded }.count
        Console.error("\(upgraded) of \(report.steps.count) services upgraded")
    }
}
