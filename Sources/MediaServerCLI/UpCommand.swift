import ArgumentParser
import Foundation
import MediaStack
import MediaStackOperations

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start the core stack, then the dashboard stack, and wait until every service is healthy.",
        discussion: """
            On a fresh clone it first writes .env as `mediaserver init --yes` would. Renders the stack files for .env \
            (never replacing a file edited by hand), creates the config, data and backup folders with \
            the right owners, writes the API keys of .env into the files SABnzbd, Bazarr and Tautulli read at their \
            first start (keeping any value those files already have, and saying so), starts compose.yml (which \
            creates media_net) and then homepage-stack.yml, and waits for every healthcheck, saying what it waits \
            for. When a service fails it names it and shows its last log lines. Then it connects the apps to each \
            other as `mediaserver wire` does (`--no-wire` skips it). Running it again changes nothing.

            Examples:
              mediaserver up
              mediaserver up --timeout 600
              mediaserver up --no-wire
              mediaserver up --json | jq .ok
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "Seconds to wait for each stack to become healthy.")
    var timeout: Int = 300

    @Flag(name: .customLong("no-wire"), help: "Do not connect the apps to each other afterwards (`mediaserver wire`).")
    var noWire = false
    @Flag(help: "Print the result as JSON on stdout (progress stays on stderr).")
    var json = false

    /// The result of `up --json`.
    struct Report: Encodable {
        let ok: Bool
        /// The compose files started, in order.
        var stacks: [String] = []
        /// Folders created with their owners.
        var createdFolders = 0
        /// Why it failed, in one sentence.
        var error: String? = nil
        /// Containers that did not become healthy.
        var notReady: [String] = []
    }

    func validate() throws {
        try common.validateRoot()
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        if json, let problem = await Deployment.engineProblem() {
            try Console.json(Report(ok: false, error: problem))
            Console.error("error: \(problem)")
            throw ExitCode.failure
        }
        _ = try await Deployment.requireDocker()
        // A fresh clone: write .env with detected settings and generated secrets, so one command starts the stack.
        let envPath = common.rootURL.appendingPathComponent(common.envFile ?? ".env").path
        if common.envFile == nil, !FileManager.default.fileExists(atPath: envPath) {
            Console.error(
                "no .env yet: writing one with detected settings (change it later with `mediaserver init --force`)")
            _ = try await InitCommand.write(EnvInitializer.Request(), checkout: common.rootURL)
        }
        let deployment = try await Deployment.open(common, render: true)
        let created = try HostDirectories(stack: deployment.stack).create()
        if !created.isEmpty {
            let tops = created.map(\.path).filter { path in !created.contains { path.hasPrefix($0.path + "/") } }
            Console.error("created \(created.count) folders with their owners under \(tops.joined(separator: ", "))")
        }
        // Before the apps first start: the keys of .env into the files SABnzbd, Bazarr and Tautulli read them from.
        let seeder = FirstStartSeeder(stack: deployment.stack)
        do {
            for line in FirstStartSeeder.report(try seeder.seed()) { Console.error(line) }
        } catch {
            Console.error("\(error)\nnothing was started")
            if json {
                try Console.json(
                    Report(ok: false, error: "first-start seeding failed (see stderr); nothing was started"))
            }
            throw ExitCode.failure
        }
        if FrontDoor.isEnabled(deployment.stack.settings), deployment.stack.isEnabled(FrontDoor.authenticator),
            case .created(_, let note, let user) = try await AutheliaUsers(stack: deployment.stack).ensure()
        {
            Console.error("created Authelia's first user \(user); its password is in \(note) (mode 0600)")
        }
        var report = Report(ok: true, createdFolders: created.count)
        for stack in deployment.stacks {
            Console.error("starting \(stack.composeFile) …")
            let output = try await deployment.driver.up(stack)
            guard output.succeeded else {
                Console.error("error: \(ComposeError.failed(output))")
                if json {
                    try Console.json(Report(ok: false, stacks: report.stacks, error: "\(ComposeError.failed(output))"))
                }
                throw ExitCode.failure
            }
            report.stacks.append(stack.composeFile)
            do {
                try await deployment.driver.waitUntilReady(
                    stack, services: deployment.stack.services(in: stack), timeout: .seconds(timeout),
                    progress: { Console.error($0) })
            } catch let error as ComposeError {
                Console.error("error: \(error)")
                if json {
                    var failed = Report(ok: false, stacks: report.stacks, error: "\(error)")
                    if case .notReady(_, let services) = error { failed.notReady = services.map(\.container) }
                    try Console.json(failed)
                }
                if case .notReady(_, let services) = error {
                    for service in services.prefix(3) where service.state != "missing" {
                        let logs = await deployment.driver.lastLogLines(service.container)
                        Console.error("--- last log lines of \(service.container) ---\n\(logs)")
                    }
                }
                Console.error("  fix: read the log lines above; `mediaserver ps` shows every state")
                throw ExitCode.failure
            }
        }
        Console.error("up: every service is healthy; `mediaserver health` probes them from this host")
        guard !noWire else {
            if json { try Console.json(report) }
            return
        }
        // The apps answer their APIs once healthy: connect them, as `mediaserver wire` does.
        let envURL = URL(fileURLWithPath: common.envFile ?? ".env", relativeTo: common.rootURL)
        let before = FileManager.default.contents(atPath: envURL.path)
        let wired = try await WireCommand.wire(
            root: common.rootURL, envFile: common.envFile ?? ".env", settings: deployment.settings, overrides: [:],
            dryRun: false, json: false, timeout: 15, linesOnStderr: json)
        // A key the wiring stored in .env (Jellyfin's, Plex's) reaches Homepage only when Compose recreates it.
        if FileManager.default.contents(atPath: envURL.path) != before {
            for stack in deployment.stacks {
                Console.error("applying the keys wire stored in .env to \(stack.composeFile) …")
                let output = try await deployment.driver.up(stack)
                guard output.succeeded else {
                    Console.error("error: \(ComposeError.failed(output))")
                    throw ExitCode.failure
                }
                do {
                    try await deployment.driver.waitUntilReady(
                        stack, services: deployment.stack.services(in: stack), timeout: .seconds(timeout),
                        progress: { Console.error($0) })
                } catch {
                    Console.error("error: \(error)")
                    throw ExitCode.failure
                }
            }
        }
        if json {
            var result = Report(
                ok: wired, stacks: report.stacks, createdFolders: report.createdFolders, notReady: report.notReady)
            if !wired { result.error = "some apps could not be wired (see stderr); `mediaserver wire` retries" }
            try Console.json(result)
        }
        if !wired { throw ExitCode.failure }
    }
}
