import ArgumentParser
import Foundation
import MediaStack
import MediaStackOperations

struct UpgradeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade",
        abstract: "Upgrade services to newer release tags, with a backup first and a rollback on failure.",
        discussion: """
            `mediaserver upgrade [SERVICE...]` shows the plan (running tag → newest release tag of the same major \
            version, or --to TAG for one named service) and asks before it changes anything (--yes does not ask; \
            --dry-run only shows the plan). It then backs up (archive only; a failed backup upgrades nothing), \
            pulls every new image by its exact reference, and per service, dependencies first: stops it, copies its \
            config folder, stores the tag in .env as <SERVICE>_IMAGE_TAG and renders, recreates it and waits for it \
            to be healthy (UPGRADE_HEALTH_TIMEOUT, or --health-timeout). A service that does not get healthy is \
            rolled back: its previous image and its config folder as it was, since apps migrate their databases on \
            start. The services after it are left alone.

            `mediaserver upgrade --check` asks each image's registry (`GET /v2/<name>/tags/list`, anonymously, as \
            `docker pull` does) which tags it has, and keeps the release tags of the image's publisher scheme that \
            are newer than the running tag: no `latest`, no alpha, beta, rc or nightly builds, and the same major \
            version unless --major. Each service shows where its release notes are; read them before a major \
            version.

            Examples:
              mediaserver upgrade --dry-run
              mediaserver upgrade sonarr radarr --yes
              mediaserver upgrade jellyfin --to 10.11.12
              mediaserver upgrade --check
              mediaserver upgrade --check sonarr radarr --major
              mediaserver upgrade --check --json | jq '.services[] | select(.newer != [])'
              mediaserver upgrade --check --registry docker.io=https://mirror.gcr.io

            Ctrl-C (SIGINT), SIGTERM or SIGHUP during an upgrade rolls the service in progress back as a failed health \
            check does and skips the rest; a second one only skips the wait for the previous image's health.

            Exit codes: 0 done (every registry answered), 1 a registry, the backup, a pull or an upgraded service \
            failed (rolled back), 2 invalid settings, 64 usage, 128 + the signal when stopped by one (130 SIGINT, 143 SIGTERM).
            """)

    @OptionGroup var common: CommonOptions

    @Flag(help: "List newer tags without changing anything.")
    var check = false

    @Argument(help: "Services to upgrade or check (default: every enabled service).")
    var services: [String] = []

    @Option(help: ArgumentHelp("Upgrade the one named service to this tag.", valueName: "tag"))
    var to: String?

    @Flag(help: "Show the plan without changing anything.")
    var dryRun = false

    @Flag(help: "Do not ask before upgrading.")
    var yes = false

    @Option(help: "Seconds each upgraded service may take to become healthy (default: UPGRADE_HEALTH_TIMEOUT).")
    var healthTimeout: Int?

    @Flag(help: "Also offer newer major versions (read their release notes first).")
    var major = false

    @Option(
        name: .customLong("registry"),
        help: ArgumentHelp(
            "Ask URL instead of a registry host, as HOST=URL (a mirror); repeatable.", valueName: "host=url"))
    var registries: [String] = []

    @Option(help: "Seconds each registry request may take.")
    var timeout: Double = 20

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        try common.validateRoot()
        if check, to != nil || dryRun || yes || healthTimeout != nil {
            throw ValidationError("--check only lists tags; --to, --dry-run, --yes and --health-timeout upgrade")
        }
        if to != nil, services.count != 1 {
            throw ValidationError("--to needs exactly one service, e.g. `mediaserver upgrade jellyfin --to 10.11.12`")
        }
        if let healthTimeout, !(10...3600).contains(healthTimeout) {
            throw ValidationError("--health-timeout must be between 10 and 3600 seconds")
        }
        guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must be between 0 and 300 seconds") }
        _ = try endpoints()
    }

    /// `--registry HOST=URL` pairs.
    func endpoints() throws -> [String: URL] {
        var result: [String: URL] = [:]
        for pair in registries {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let url = URL(string: parts[1]),
                let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil
            else {
                throw ValidationError(
                    "--registry \(pair) is not HOST=URL; e.g. --registry docker.io=https://mirror.gcr.io")
            }
            result[parts[0]] = url
        }
        return result
    }

    struct Report: Encodable {
        let settings: String
        let services: [UpgradeCheck.Result]
        let upgradable: Int
        let failed: Int
    }

    func run() async throws {
        guard check else {
            try await UpgradeExecution(command: self).run()
            return
        }
        let settings = try common.loadSettings()
        let enabled = Stack(settings: settings).services
        let chosen = try selected(from: enabled)
        if !json { Console.error("asking the registries of \(chosen.count) services for newer tags …") }
        let client = RegistryClient(endpoints: try endpoints(), timeout: .milliseconds(Int(timeout * 1000)))
        let results = await UpgradeCheck(client: client, allowMajor: major).run(chosen.map(UpgradeCheck.Subject.init))
        let failed = results.filter { $0.error != nil }
        let upgradable = results.filter { !$0.newer.isEmpty }
        if json {
            try Console.json(
                Report(
                    settings: settings.source, services: results, upgradable: upgradable.count,
                    failed: failed.count))
        } else {
            printTable(results)
            for result in failed {
                Console.error("error: \(result.service) (\(result.image)): \(result.error ?? "")")
            }
            Console.error(
                "\(upgradable.count) of \(results.count) services have newer tags"
                    + (failed.isEmpty ? "" : "; \(failed.count) could not be checked"))
        }
        if !failed.isEmpty { throw ExitCode.failure }
    }

    /// The enabled services named on the command line, or all of them; an unknown name is a usage error.
    func selected(from enabled: [Service]) throws -> [Service] {
        guard !services.isEmpty else { return enabled }
        let known = Set(enabled.map(\.name.rawValue))
        for name in services where !known.contains(name) {
            let catalog = Set(Catalog.services.map(\.name.rawValue))
            throw ValidationError(
                catalog.contains(name)
                    ? "'\(name)' is disabled in DISABLED_SERVICES; enable it first or leave it out"
                    : "'\(name)' is not a service of the stack; see `mediaserver services`")
        }
        return enabled.filter { services.contains($0.name.rawValue) }
    }

    private func printTable(_ results: [UpgradeCheck.Result]) {
        let counts = results.map { result -> String in
            if result.error != nil { return "error" }
            return "\(result.newer.count)" + (result.otherMajors.isEmpty ? "" : " (+\(result.otherMajors.count) major)")
        }
        let name = (results.map(\.service.count).max() ?? 7) + 2
        let pinned = max(8, (results.map(\.pinned.count).max() ?? 6) + 2)
        let newest = max(8, (results.compactMap(\.newest?.count).max() ?? 6) + 2)
        let newer = max(7, (counts.map(\.count).max() ?? 5) + 2)
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        Console.output(
            pad("SERVICE", name) + pad("PINNED", pinned) + pad("NEWEST", newest) + pad("NEWER", newer) + "RELEASE NOTES"
        )
        for (result, count) in zip(results, counts) {
            Console.output(
                pad(result.service, name) + pad(result.pinned, pinned) + pad(result.newest ?? "-", newest)
                    + pad(count, newer) + (result.releaseNotes ?? "-"))
        }
    }
}
