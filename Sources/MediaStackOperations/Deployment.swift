import Foundation
import MediaStack
import MediaStackChecks
import MediaStackRendering

/// What the operating commands share: validated settings, the stack, a working Compose and a reachable engine.
public struct Deployment: Sendable {
    public let settings: Settings
    public let stack: Stack
    public let driver: ComposeDriver

    /// Loads and checks everything `up`, `down` and `ps` need; throws ``OperationFailure`` (one sentence with the
    /// fix) when something is missing. With `render`, the stack files are first brought in line with the settings
    /// (`progress` hears which files were written).
    public static func open(
        checkout root: URL, settingsPath: String?, render: Bool, progress: (String) -> Void = { _ in }
    ) async throws -> Deployment {
        let envFile = settingsPath ?? ".env"
        guard
            FileManager.default.fileExists(atPath: root.appendingPathComponent(envFile).path) || envFile.hasPrefix("/")
        else {
            throw OperationFailure([
                "error: \(envFile) does not exist; run `mediaserver init` to write it, then try again"
            ])
        }
        // A user's .env renders into deploy/ (the committed files at the root stay the render of .env.example).
        let folder = RenderLocation.folder(checkout: root, settingsPath: envFile)
        let settings: Settings
        if render {
            settings = try renderFirst(checkout: root, envFile: envFile, progress: progress)
        } else {
            do {
                settings = try SettingsLoader(root: root).load(envFile)
            } catch {
                throw OperationFailure(.findings, error.issues.map(\.description))
            }
        }
        if !render,
            !FileManager.default.fileExists(atPath: folder.appendingPathComponent(StackID.core.composeFile).path)
        {
            throw OperationFailure([
                "error: \(envFile) has no render in \(RenderLocation.deploymentFolder)/ yet; run `mediaserver render`"
                    + " (if an earlier version rendered it into the checkout's root, `mediaserver migrate` moves it)"
            ])
        }
        let (cli, runner) = try await requireDocker()
        return Deployment(
            settings: settings, stack: Stack(settings: settings),
            driver: ComposeDriver(
                cli: cli, runner: runner, root: folder,
                envFile: RenderLocation.absoluteSettingsPath(checkout: root, settingsPath: envFile)))
    }

    /// Renders the settings file into its folder, as `render` does but never replacing a hand-edited file, and
    /// returns its settings.
    static func renderFirst(checkout root: URL, envFile: String, progress: (String) -> Void) throws -> Settings {
        let renderer = StackRender(checkout: root)
        let plan: StackRender.Plan
        do {
            plan = try renderer.plan(settingsPath: envFile)
        } catch StackRender.Refusal.findings(_, let findings) {
            throw OperationFailure(.findings, findings.filter { $0.severity == .error }.map(\.description))
        }
        // Before the first render into deploy/: an install whose root holds a render of `.env` (an earlier layout)
        // is moved with `mediaserver migrate` first, so it does not end up with two renders and a checkout `git
        // pull` refuses.
        let moved = try renderer.earlierRenderAtRoot(plan)
        if !moved.isEmpty {
            throw OperationFailure([
                "error: the checkout's root holds a render of your settings (\(moved.prefix(3).joined(separator: ", "))"
                    + (moved.count > 3 ? ", …" : "") + "), from an earlier version\n  fix: run `mediaserver migrate`"
                    + " (it moves that render into deploy/, so `git pull` works), then this command again"
            ])
        }
        // Bring the stack files in line with .env first (safe: hand-edited files are never replaced).
        do {
            try renderer.write(plan)
        } catch StackRender.Refusal.handEdited(let plan) {
            throw OperationFailure([
                "error: \(plan.kept.map(\.path).joined(separator: ", ")) was edited by hand and differs from a render"
                    + " of \(envFile)\n  fix: move your change into .env or the catalog, then `mediaserver render --force`"
            ])
        } catch StackRender.Refusal.write(let error) {
            throw OperationFailure(["error: \(error.description)\n  fix: \(error.fix)"])
        }
        if !plan.pending.isEmpty {
            progress(
                "rendered for \(envFile) into \(renderer.display(plan.folder)):"
                    + " \(plan.pending.map(\.path).joined(separator: ", "))")
        }
        return plan.settings
    }

    /// Why no Docker engine can serve this machine, in one sentence with the fix; nil when one answers.
    public static func engineProblem(runner: SubprocessRunner = SubprocessRunner()) async -> String? {
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

    /// Docker, a reachable engine and Compose v2; throws ``OperationFailure`` saying what is missing and what to do.
    public static func requireDocker() async throws -> (ComposeCLI, SubprocessRunner) {
        let runner = SubprocessRunner()
        guard SubprocessRunner.locate("docker") != nil || SubprocessRunner.locate("docker-compose") != nil else {
            throw OperationFailure([
                "error: Docker is not installed on this machine; install Docker Engine with the Compose plugin"
                    + " (https://docs.docker.com/engine/install/) and run this command again"
            ])
        }
        let info = try? await runner.run("docker", ["info", "--format", "{{.ServerVersion}}"], timeout: 20)
        guard let info, info.succeeded else {
            throw OperationFailure([
                "error: no Docker engine answers here (`docker info` says why); start it"
                    + " (e.g. `sudo systemctl start docker`) and run this command again"
            ])
        }
        guard let cli = await ComposeCLI.detect(runner: runner) else {
            throw OperationFailure([
                "error: Docker Compose v2 is not installed here; install the compose plugin"
                    + " (`apt-get install docker-compose-plugin`) and run this command again"
            ])
        }
        return (cli, runner)
    }

    /// The stacks that have enabled services, in start order.
    public var stacks: [StackID] { StackID.allCases.filter { !stack.services(in: $0).isEmpty } }
}
