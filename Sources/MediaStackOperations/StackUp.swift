import Foundation
import MediaStack

/// The `up` sequence: on a fresh clone write `.env` (as `init --yes` would), render for it, create the host folders
/// with their owners, seed the keys the apps read at their first start, start the core stack and then the dashboard
/// stack waiting for every healthcheck, and finally wire the apps to each other. Running it again changes nothing.
public struct StackUp: Sendable {
    /// The checkout.
    public let checkout: URL
    /// The settings file, relative to the checkout unless absolute; nil for `.env` (written when missing).
    public let settingsPath: String?
    /// How long each stack may take to become healthy.
    public let timeout: Duration
    /// Receives progress lines, and what each step did.
    public let progress: @Sendable (String) -> Void
    /// Receives the wiring's result lines, one per step (what `wire` prints on stdout).
    public let output: @Sendable (String) -> Void

    public init(
        checkout: URL, settingsPath: String?, timeout: Duration = .seconds(300),
        progress: @escaping @Sendable (String) -> Void = { _ in },
        output: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.checkout = checkout
        self.settingsPath = settingsPath
        self.timeout = timeout
        self.progress = progress
        self.output = output
    }

    /// The result of `up --json`.
    public struct Report: Encodable, Sendable, Hashable {
        public var ok: Bool
        /// The compose files started, in order.
        public var stacks: [String] = []
        /// Folders created with their owners.
        public var createdFolders = 0
        /// Why it failed, in one sentence.
        public var error: String? = nil
        /// Containers that did not become healthy.
        public var notReady: [String] = []

        public init(
            ok: Bool, stacks: [String] = [], createdFolders: Int = 0, error: String? = nil, notReady: [String] = []
        ) {
            self.ok = ok
            self.stacks = stacks
            self.createdFolders = createdFolders
            self.error = error
            self.notReady = notReady
        }
    }

    /// Why `up` stopped: the diagnostic to show, and the report `--json` prints.
    public struct Failure: Error, Sendable {
        public let diagnostic: OperationFailure
        public let report: Report
    }

    /// Runs the sequence; with `wire`, the apps are connected to each other once healthy (``StackWire``). Throws
    /// ``Failure`` when a step fails; a report that is not `ok` means some apps could not be wired.
    public func run(wire: Bool = true) async throws -> Report {
        var report = Report(ok: false)
        func fail(_ diagnostic: OperationFailure, _ error: String? = nil) -> Failure {
            report.error = error ?? Self.sentence(diagnostic)
            return Failure(diagnostic: diagnostic, report: report)
        }
        do {
            _ = try await Deployment.requireDocker()
        } catch let failure as OperationFailure {
            throw fail(failure)
        }
        // A fresh clone: write .env with detected settings and generated secrets, so one command starts the stack.
        if settingsPath == nil, !FileManager.default.fileExists(atPath: checkout.appendingPathComponent(".env").path) {
            progress(
                "no .env yet: writing one with detected settings (change it later with `mediaserver init --force`)")
            let initializer = EnvInitializer(checkout: checkout)
            do {
                let outcome = try await initializer.run(EnvInitializer.Request())
                initializer.summary(of: outcome).forEach(progress)
            } catch let refusal as EnvInitializer.Refusal {
                throw fail(refusal.failure)
            }
        }
        let deployment: Deployment
        do {
            deployment = try await Deployment.open(
                checkout: checkout, settingsPath: settingsPath, render: true, progress: progress)
        } catch let failure as OperationFailure {
            throw fail(failure)
        }
        let created = try HostDirectories(stack: deployment.stack).create()
        report.createdFolders = created.count
        if !created.isEmpty {
            let tops = created.map(\.path).filter { path in !created.contains { path.hasPrefix($0.path + "/") } }
            progress("created \(created.count) folders with their owners under \(tops.joined(separator: ", "))")
        }
        // Before the apps first start: the keys of .env into the files SABnzbd, Bazarr and Tautulli read them from.
        do {
            FirstStartSeeder.report(try FirstStartSeeder(stack: deployment.stack).seed()).forEach(progress)
        } catch {
            throw fail(
                OperationFailure(["\(error)\nnothing was started"]),
                "first-start seeding failed (see stderr); nothing was started")
        }
        if FrontDoor.isEnabled(deployment.stack.settings), deployment.stack.isEnabled(FrontDoor.authenticator),
            case .created(_, let note, let user) = try await AutheliaUsers(stack: deployment.stack).ensure()
        {
            progress("created Authelia's first user \(user); its password is in \(note) (mode 0600)")
        }
        for stack in deployment.stacks {
            progress("starting \(stack.composeFile) …")
            try await start(stack, of: deployment, fail: fail)
            report.stacks.append(stack.composeFile)
        }
        progress("up: every service is healthy; `mediaserver health` probes them from this host")
        guard wire else {
            report.ok = true
            return report
        }
        // The apps answer their APIs once healthy: connect them, as `mediaserver wire` does.
        let envURL = URL(fileURLWithPath: settingsPath ?? ".env", relativeTo: checkout)
        let before = FileManager.default.contents(atPath: envURL.path)
        let wiring: StackWire.Outcome
        do {
            wiring = try await StackWire(
                checkout: checkout, settingsPath: settingsPath ?? ".env",
                containers: ComposeWiringContainers(stack: deployment.stack, driver: deployment.driver)
            ).run(
                settings: deployment.settings, progress: progress)
        } catch let failure as OperationFailure {
            throw fail(failure)
        }
        wiring.lines.forEach(output)
        wiring.summary.forEach(progress)
        // A key the wiring stored in .env (Jellyfin's, Plex's) reaches Homepage only when Compose recreates it.
        if FileManager.default.contents(atPath: envURL.path) != before {
            for stack in deployment.stacks {
                progress("applying the keys wire stored in .env to \(stack.composeFile) …")
                try await start(stack, of: deployment, showLogs: false, fail: fail)
            }
        }
        // Seerr reads trustProxy once, at start (SeerrProxyTrustWiring): restart each instance the wiring just set.
        let trusting = wiring.apps.filter { app in
            app.items.contains { $0.kind == SeerrProxyTrustWiring.kind && $0.done }
        }.compactMap { ServiceName($0.app) }
        for stack in deployment.stacks {
            let here = Set(deployment.stack.services(in: stack).map(\.name))
            let restarting = trusting.filter(here.contains)
            guard !restarting.isEmpty else { continue }
            progress(
                "restarting \(restarting.map(\.rawValue).joined(separator: ", ")) to trust Caddy's X-Forwarded-For …")
            try await start(stack, of: deployment, showLogs: false, restarting: restarting, fail: fail)
        }
        report.ok = wiring.ok
        if !wiring.ok { report.error = "some apps could not be wired (see stderr); `mediaserver wire` retries" }
        return report
    }

    /// `docker compose up` for `stack` (or `restart` of the `restarting` services), then waits for its
    /// healthchecks; on a failure, names the services that are not ready and (with `showLogs`) shows their last log
    /// lines.
    private func start(
        _ stack: StackID, of deployment: Deployment, showLogs: Bool = true, restarting: [ServiceName] = [],
        fail: (OperationFailure, String?) -> Failure
    ) async throws {
        let output =
            try await restarting.isEmpty
            ? deployment.driver.up(stack) : deployment.driver.restart(stack, services: restarting)
        guard output.succeeded else {
            throw fail(OperationFailure(["error: \(ComposeError.failed(output))"]), "\(ComposeError.failed(output))")
        }
        do {
            try await deployment.driver.waitUntilReady(
                stack, services: deployment.stack.services(in: stack), timeout: timeout, progress: progress)
        } catch let error as ComposeError {
            var lines = ["error: \(error)"]
            var notReady: [String] = []
            if case .notReady(_, let services) = error {
                notReady = services.map(\.container)
                if showLogs {
                    for service in services.prefix(3) where service.state != "missing" {
                        let logs = await deployment.driver.lastLogLines(service.container)
                        lines.append("--- last log lines of \(service.container) ---\n\(logs)")
                    }
                }
            }
            if showLogs { lines.append("  fix: read the log lines above; `mediaserver ps` shows every state") }
            let failure = fail(OperationFailure(lines), "\(error)")
            var report = failure.report
            report.notReady = notReady
            throw Failure(diagnostic: failure.diagnostic, report: report)
        }
    }

    /// The first line of a diagnostic without its `error: ` prefix: the report's one sentence.
    static func sentence(_ failure: OperationFailure) -> String {
        let first = failure.lines.first?.components(separatedBy: "\n").first ?? ""
        return first.hasPrefix("error: ") ? String(first.dropFirst("error: ".count)) : first
    }
}
