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
            applications, and the Newznab indexers .env lists (INDEXERS, with INDEXER_<NAME>_URL and \
            INDEXER_<NAME>_API_KEY; Prowlarr tests each with the site before it saves it); Sonarr and Radarr get SABnzbd as their download client (categories tv and movies) and \
            their root folders /data/media/tv and /data/media/movies; Jellyfin's startup wizard is completed \
            with a generated admin password, an API key is created, and the libraries Movies and Shows are added. \
            Once PLEX_TOKEN is in .env, Tautulli is connected to Plex and its first-run wizard marked done: its \
            container is stopped, config.ini gets the server, and the container is started again (Tautulli's API \
            cannot set it); Plex gets the libraries Movies and TV Shows on the same folders, and Overseerr gets the \
            Plex server with those libraries enabled and its setup completed. With USENET_HOST set, SABnzbd gets \
            that Usenet provider as a news server (USENET_* in .env) and tests the login. Keys and passwords it \
            obtains are stored in .env (mode 600) and never printed.

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
        let json = json
        let wire = StackWire(
            checkout: common.rootURL, settingsPath: common.envFile ?? ".env",
            timeout: .milliseconds(Int(timeout * 1000)))
        let outcome: StackWire.Outcome
        do {
            outcome = try await wire.run(
                settings: settings, overrides: overrides, dryRun: dryRun, progress: { if !json { Console.error($0) } })
        } catch let failure as OperationFailure {
            throw failure.report()
        }
        if json {
            try Console.json(
                Report(dryRun: dryRun, changed: outcome.changed, failed: outcome.failed, apps: outcome.apps))
        } else {
            outcome.lines.forEach(Console.output)
            outcome.summary.forEach(Console.error)
        }
        if !outcome.ok { throw ExitCode.failure }
    }
}
