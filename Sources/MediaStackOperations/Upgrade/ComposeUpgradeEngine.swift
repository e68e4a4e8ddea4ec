import Foundation
import MediaStack
import MediaStackRendering

/// The upgrade's side effects on a real deployment: Docker pulls the exact reference, Compose stops and recreates
/// one service (`up -d --no-deps`, so its dependencies are left alone), its health is read from `compose ps`, and
/// the settings are written with the render writer.
public struct ComposeUpgradeEngine: UpgradeEngine {
    public let driver: ComposeDriver
    /// The deployment's services: which of them have a container healthcheck.
    public let stack: Stack
    /// The checkout; the settings file is read relative to it.
    public let checkout: URL
    /// The settings file, relative to the checkout or absolute.
    public let settingsPath: String
    /// Where the settings render to (`deploy/` for a user's `.env`).
    public let renderFolder: URL
    /// Runs the backup (the deployment's backup job, archive only).
    public let backupJob: @Sendable () async throws -> Void
    /// Seconds between two polls of the container's state.
    public let pollInterval: Duration

    public init(
        driver: ComposeDriver, stack: Stack, checkout: URL, settingsPath: String, renderFolder: URL,
        pollInterval: Duration = .seconds(2), backup: @escaping @Sendable () async throws -> Void
    ) {
        self.driver = driver
        self.stack = stack
        self.checkout = checkout
        self.settingsPath = settingsPath
        self.renderFolder = renderFolder
        self.pollInterval = pollInterval
        self.backupJob = backup
    }

    public func backup() async throws { try await backupJob() }

    public func pull(_ reference: String) async throws {
        let output = try await driver.runner.run("docker", ["pull", reference], timeout: 3600)
        guard output.succeeded else {
            throw EngineFailure(ConfigSnapshots.lastLine(output.standardError))
        }
    }

    public func stop(_ service: String, in stack: String) async throws {
        try await compose(stack, ["stop", service])
    }

    public func start(_ service: String, in stack: String) async throws {
        try await compose(stack, ["up", "-d", "--no-deps", service])
    }

    /// Polls `compose ps`. A service with a container healthcheck must report `healthy` (a container in a restart
    /// loop may show `running` with no health state between two starts); one without must stay running for three
    /// polls in a row.
    public func waitHealthy(_ service: String, in stack: String, timeout: Duration) async -> String? {
        guard let stackID = StackID.allCases.first(where: { $0.composeFile == stack }) else { return "unknown stack" }
        let healthchecked = self.stack.services.first { $0.name.rawValue == service }?.health?.containerTest != nil
        let clock = ContinuousClock()
        let start = clock.now
        var last = "not created"
        var runningPolls = 0
        while clock.now - start < timeout {
            // A cancelled wait (a stop request) ends at once: no poll would be read anyway.
            if Task.isCancelled { return "not waited for: cancelled" }
            if let status = try? await driver.ps(stackID).first(where: { $0.service == service }) {
                last = status.health.isEmpty || status.state != "running" ? status.state : status.health
                // A container that exits or restarts (a failed migration, a crash loop) will not get healthy.
                if ["exited", "dead", "restarting"].contains(status.state) || status.health == "unhealthy" {
                    return last
                }
                runningPolls = status.state == "running" ? runningPolls + 1 : 0
                if healthchecked ? status.health == "healthy" : runningPolls >= 3 { return nil }
            }
            try? await Task.sleep(for: pollInterval)
        }
        return "\(last) after \(timeout.components.seconds) s"
    }

    public func applySettings(_ text: String) async throws {
        let url =
            settingsPath.hasPrefix("/")
            ? URL(fileURLWithPath: settingsPath) : checkout.appendingPathComponent(settingsPath)
        let previous = FileManager.default.contents(atPath: url.path)
        try EnvFileWriter(url: url).write(text)
        do {
            let settings = try SettingsLoader(root: checkout).load(settingsPath)
            let files = try StackRenderer().render(Stack(settings: settings))
            let writer = RenderWriter(root: renderFolder)
            let changes = writer.plan(files)
            let kept = changes.filter { $0.action == .keepHandEdited || $0.action == .keepForeign }
            guard kept.isEmpty else {
                throw EngineFailure(
                    "\(kept.map(\.path).joined(separator: ", ")) was edited by hand; move the change into the"
                        + " settings or the catalog, then `mediaserver render --force`")
            }
            try writer.apply(files, changes)
        } catch {
            if let previous {
                try? EnvFileWriter(url: url).write(String(decoding: previous, as: UTF8.self))
            }
            throw error
        }
    }

    private func compose(_ stack: String, _ arguments: [String]) async throws {
        guard let stackID = StackID.allCases.first(where: { $0.composeFile == stack }) else {
            throw EngineFailure("unknown stack \(stack)")
        }
        let output = try await driver.compose(stackID, arguments, timeout: 600)
        guard output.succeeded else { throw ComposeError.failed(output) }
    }
}

/// A failed engine step, in words.
struct EngineFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
