import ArgumentParser
import Foundation
import MediaStack
import MediaStackChecks
import MediaStackOperations
import MediaStackRendering

/// What the operating commands share: validated settings, the stack, a working Compose and a reachable engine.
struct Deployment {
    let settings: Settings
    let stack: Stack
    let driver: ComposeDriver

    /// Loads and checks everything `up`, `down` and `ps` need; prints one sentence with the fix and exits when
    /// something is missing. With `render`, the stack files are first brought in line with the settings.
    static func open(_ common: CommonOptions, render: Bool) async throws -> Deployment {
        let root = common.rootURL
        let envFile = common.envFile ?? ".env"
        guard
            FileManager.default.fileExists(atPath: root.appendingPathComponent(envFile).path) || envFile.hasPrefix("/")
        else {
            Console.error("error: \(envFile) does not exist; run `mediaserver init` to write it, then try again")
            throw ExitCode.failure
        }
        // A user's .env renders into deploy/ (the committed files at the root stay the render of .env.example).
        let folder = common.renderFolder(envFile)
        let settings = try render ? renderFirst(common, envFile: envFile) : common.loadSettings()
        if !render,
            !FileManager.default.fileExists(atPath: folder.appendingPathComponent(StackID.core.composeFile).path)
        {
            Console.error(
                "error: \(envFile) has no render in \(RenderLocation.deploymentFolder)/ yet; run `mediaserver render`"
                    + " (if an earlier version rendered it into the checkout's root, `mediaserver migrate` moves it)")
            throw ExitCode.failure
        }
        let (cli, runner) = try await requireDocker()
        return Deployment(
            settings: settings, stack: Stack(settings: settings),
            driver: ComposeDriver(
                cli: cli, runner: runner, root: folder, envFile: common.composeSettingsPath(envFile)))
    }

    /// Renders the settings file into its folder, as `render` does but never replacing a hand-edited file, and
    /// returns its settings; prints the reason and exits when it cannot.
    static func renderFirst(_ common: CommonOptions, envFile: String) throws -> Settings {
        let renderer = StackRender(checkout: common.rootURL)
        let plan: StackRender.Plan
        do {
            plan = try renderer.plan(settingsPath: envFile)
        } catch StackRender.Refusal.findings(_, let findings) {
            for finding in findings where finding.severity == .error { Console.error(finding.description) }
            throw ExitCode.findings
        }
        try refuseRenderAtRoot(plan, with: renderer)
        // Bring the stack files in line with .env first (safe: hand-edited files are never replaced).
        do {
            try renderer.write(plan)
        } catch StackRender.Refusal.handEdited(let plan) {
            Console.error(
                "error: \(plan.kept.map(\.path).joined(separator: ", ")) was edited by hand and differs from a render"
                    + " of \(envFile)\n  fix: move your change into .env or the catalog, then `mediaserver render --force`"
            )
            throw ExitCode.failure
        } catch StackRender.Refusal.write(let error) {
            Console.error("error: \(error.description)\n  fix: \(error.fix)")
            throw ExitCode.failure
        }
        if !plan.pending.isEmpty {
            Console.error(
                "rendered for \(envFile) into \(RenderCommand.display(plan.folder, in: common.rootURL)):"
                    + " \(plan.pending.map(\.path).joined(separator: ", "))")
        }
        return plan.settings
    }

    /// Before the first render into deploy/: an install whose root holds a render of `.env` (an earlier layout) is
    /// moved with `mediaserver migrate` first, so it does not end up with two renders and a checkout `git pull`
    /// refuses.
    static func refuseRenderAtRoot(_ plan: StackRender.Plan, with render: StackRender) throws {
        let moved = try render.earlierRenderAtRoot(plan)
        guard !moved.isEmpty else { return }
        Console.error(
            "error: the checkout's root holds a render of your settings (\(moved.prefix(3).joined(separator: ", "))"
                + (moved.count > 3 ? ", …" : "") + "), from an earlier version\n  fix: run `mediaserver migrate`"
                + " (it moves that render into deploy/, so `git pull` works), then this command again")
        throw ExitCode.failure
    }

    /// Why no Docker engine can serve this machine, in one sentence with the fix; nil when one answers.
    static func engineProblem(runner: SubprocessRunner = SubprocessRunner()) async -> String? {
        guard SubprocessRunner.locate("docker") != nil else {
            return "Docker is not installed on this machine; install Docker Engine with the Compose plugin"
                + " (https://docs.docker.com/engine/install/)"
        }
        let info = try? await runner.run("docker", ["info", "--format", "{{.ServerVersion}}"], timeout: 20)
        guard let info, info.succeeded else {
            return
                "no Docker engine answers here (`docker info` says why); start it (e.g. `sudo systemctl start docker`)"
        }
        return nil
    }

    /// Docker, a reachable engine and Compose v2, or one sentence saying what is missing and what to do.
    static func requireDocker() async throws -> (ComposeCLI, SubprocessRunner) {
        let runner = SubprocessRunner()
        guard SubprocessRunner.locate("docker") != nil || SubprocessRunner.locate("docker-compose") != nil else {
            Console.error(
                "error: Docker is not installed on this machine; install Docker Engine with the Compose plugin"
                    + " (https://docs.docker.com/engine/install/) and run this command again")
            throw ExitCode.failure
        }
        let info = try? await runner.run("docker", ["info", "--format", "{{.ServerVersion}}"], timeout: 20)
        guard let info, info.succeeded else {
            Console.error(
                "error: no Docker engine answers here (`docker info` says why); start it"
                    + " (e.g. `sudo systemctl start docker`) and run this command again")
            throw ExitCode.failure
        }
        guard let cli = await ComposeCLI.detect(runner: runner) else {
            Console.error(
                "error: Docker Compose v2 is not installed here; install the compose plugin"
                    + " (`apt-get install docker-compose-plugin`) and run this command again")
            throw ExitCode.failure
        }
        return (cli, runner)
    }

    /// The stacks that have enabled services, in start order.
    var stacks: [StackID] { StackID.allCases.filter { !stack.services(in: $0).isEmpty } }
}
