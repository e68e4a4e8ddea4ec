import ArgumentParser
import Foundation
import MediaStack
import MediaStackOperations

struct WireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "Connect the apps to each other through their HTTP APIs (idempotent).",
        discussion: """
            Reconciles the desired wiring with what each app holds: Prowlarr gets Sonarr and Radarr as \
            applications; Sonarr and Radarr get SABnzbd as their download client (categories tv and movies) and \
            their root folders /data/media/tv and /data/media/movies; Jellyfin's startup wizard is completed \
            with a generated admin password, an API key is created, and the libraries Movies and Shows are added. \
            Keys and passwords it obtains are stored in .env (mode 600) and never printed.

            Objects are matched by name: what is missing is created, what this command created and that drifted \
            is updated, and anything made by hand is left alone. Nothing is ever deleted. A second run changes \
            nothing and says so. An app that is down or refuses gets one line (app, call, its own message, a fix); \
            the other apps are still wired. `mediaserver up` runs this after the stacks are healthy.

            Examples:
              mediaserver wire
              mediaserver wire --dry-run
              mediaserver wire --json
              mediaserver wire --url sonarr=http://192.168.1.20:8989

            Exit codes: 0 wired, 1 an app is down or refused, 2 invalid settings, 64 usage.
            """)

    @OptionGroup var common: CommonOptions

    @Flag(name: .customLong("dry-run"), help: "Print the plan per app; change nothing.")
    var dryRun = false

    @Flag(help: "Print the plan and outcome as JSON (secrets are never included).")
    var json = false

    @Option(name: .customLong("url"), help: "Reach an app at another address: NAME=URL (repeatable).")
    var urls: [String] = []

    @Option(help: "Seconds each call to an app may take.")
    var timeout: Double = 15

    func validate() throws {
        try common.validateRoot()
        guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must be between 0 and 300 seconds") }
        do {
            _ = try WiringTargets.parseOverrides(urls)
        } catch {
            throw ValidationError(error.description)
        }
    }

    struct Report: Encodable {
        let dryRun: Bool
        let changed: Bool
        let failed: [String]
        let apps: [AppWiringReport]
    }

    func run() async throws {
        let settings = try common.loadSettings()
        let overrides = (try? WiringTargets.parseOverrides(urls)) ?? [:]
        let ok = try await Self.wire(
            root: common.rootURL, envFile: common.envFile ?? ".env", settings: settings, overrides: overrides,
            dryRun: dryRun, json: json, timeout: timeout)
        if !ok { throw ExitCode.failure }
    }

    /// Wires every enabled app and prints the outcome; returns whether every app was wired.
    static func wire(
        root: URL, envFile: String, settings: Settings, overrides: [ServiceName: URL], dryRun: Bool, json: Bool,
        timeout: Double, linesOnStderr: Bool = false
    ) async throws -> Bool {
        let envURL = envFile.hasPrefix("/") ? URL(fileURLWithPath: envFile) : root.appendingPathComponent(envFile)
        guard FileManager.default.fileExists(atPath: envURL.path) else {
            Console.error("error: \(envURL.path) does not exist; fix: run `mediaserver init`, then `mediaserver up`")
            throw ExitCode.failure
        }
        let ownership: WiringOwnership
        do {
            ownership = try WiringOwnership.load(root: root)
        } catch {
            Console.error("error: \(error)")
            throw ExitCode.failure
        }
        let secrets = EnvSecretStore(url: envURL)
        let context = WiringContext(
            transport: URLSessionWiringTransport(), timeout: .milliseconds(Int(timeout * 1000)), secrets: secrets,
            ownership: ownership)
        let targets = WiringTargets(stack: Stack(settings: settings), secrets: secrets, overrides: overrides)
        let (apps, setupFailures) = targets.wirings()
        if !json { Console.error(dryRun ? "planning the wiring (dry run) …" : "wiring \(apps.count) apps …") }
        let reports = await WiringRun(context: context, dryRun: dryRun).run(apps, setupFailures: setupFailures)
        if !dryRun {
            do {
                try context.ownership.save(root: root)
            } catch {
                Console.error(
                    "error: cannot write \(root.appendingPathComponent(WiringOwnership.fileName).path): \(error)")
                throw ExitCode.failure
            }
        }
        let failed = reports.filter { $0.failure != nil }.map(\.app)
        let changed = reports.contains { $0.changed }
        if json {
            try Console.json(Report(dryRun: dryRun, changed: changed, failed: failed, apps: reports))
        } else {
            for report in reports {
                for item in report.items {
                    let prefix: String
                    switch item.change {
                    case "create", "update": prefix = item.done ? "done: " : (dryRun ? "would " : "not done: ")
                    default: prefix = ""
                    }
                    let line = "\(report.app): \(prefix)\(item.description)"
                    // Under `up --json`, stdout carries up's own report only.
                    if linesOnStderr { Console.error(line) } else { Console.output(line) }
                }
            }
            for report in reports { if let failure = report.failure { Console.error("error: \(failure)") } }
            let planned = reports.flatMap(\.items).filter { $0.change == "create" || $0.change == "update" }.count
            let forYou = reports.flatMap(\.items).filter { $0.change == "needs-you" }.count
            if forYou > 0 { Console.error("wire: \(forYou) step(s) need you (see above)") }
            if !failed.isEmpty {
                Console.error(
                    "wire: \(failed.count) of \(reports.count) apps could not be wired (\(failed.joined(separator: ", ")));"
                        + " the others were wired")
            } else if dryRun {
                Console.error(
                    planned == 0
                        ? "wire: nothing to change; every app is wired as desired"
                        : "wire: \(planned) changes planned; run `mediaserver wire` to make them")
            } else {
                Console.error(
                    changed
                        ? "wire: every app is wired" : "wire: nothing changed; every app was already wired as desired")
            }
        }
        return failed.isEmpty
    }
}
