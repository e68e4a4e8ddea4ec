import Foundation
import MediaStack
import MediaStackRendering
import Testing

@testable import MediaStackOperations

/// Stands in for Docker and Compose: records each call and plays an app whose new image rewrites its config
/// folder on start and then is healthy or not, as told. The config folder and the copies are real files.
actor FakeUpgradeEngine: UpgradeEngine {
    var calls: [String] = []
    var settings: String
    /// Tags whose containers never get healthy.
    let unhealthyTags: Set<String>
    var backupFails = false
    var pullFails: Set<String> = []
    /// The service's config folder, which a new image rewrites on start (a database migration).
    let configFolders: [String: String]

    init(settings: String, unhealthyTags: Set<String> = [], configFolders: [String: String] = [:]) {
        self.settings = settings
        self.unhealthyTags = unhealthyTags
        self.configFolders = configFolders
    }

    func failBackup() { backupFails = true }
    func failPull(_ reference: String) { pullFails.insert(reference) }

    /// Where a stop request (SIGINT) is made: at the `occurrence`-th call named `call`; with `hang`, that call
    /// then runs until it is cancelled, as a tool does that the request stops.
    struct Interruption {
        let call: String
        let occurrence: Int
        let hang: Bool
    }
    var interruptions: [Interruption] = []
    var stop = UpgradeStop()

    func interrupt(_ stop: UpgradeStop, at call: String, occurrence: Int = 1, hang: Bool = true) {
        self.stop = stop
        interruptions.append(Interruption(call: call, occurrence: occurrence, hang: hang))
    }

    /// Records `call`, and plays an interruption there when one is set.
    private func record(_ call: String) async throws {
        calls.append(call)
        let count = calls.filter { $0 == call }.count
        guard let interruption = interruptions.first(where: { $0.call == call && $0.occurrence == count }) else {
            return
        }
        stop.request(SIGINT)
        if interruption.hang {
            try await Task.sleep(for: .seconds(600))
            Issue.record("\(call) was not cancelled")
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func backup() async throws {
        try await record("backup")
        if backupFails { throw Failure(description: "borgmatic create failed: repository does not exist") }
    }

    func pull(_ reference: String) async throws {
        try await record("pull \(reference)")
        if pullFails.contains(reference) { throw Failure(description: "manifest unknown") }
    }

    func stop(_ service: String, in stack: String) async throws { try await record("stop \(service)") }

    /// The tag the settings name for `service`, or "pinned".
    func tag(of service: String) -> String {
        let key = "\(service.uppercased().replacingOccurrences(of: "-", with: "_"))_IMAGE_TAG="
        return settings.split(separator: "\n").first { $0.hasPrefix(key) }.map { String($0.dropFirst(key.count)) }
            ?? "pinned"
    }

    func start(_ service: String, in stack: String) async throws {
        let tag = tag(of: service)
        if tag != "pinned", let folder = configFolders[service] {
            // The new version migrates its database on start.
            try Data("migrated to \(tag)\n".utf8).write(to: URL(fileURLWithPath: "\(folder)/app.db"))
            try Data().write(to: URL(fileURLWithPath: "\(folder)/migration.lock"))
        }
        try await record("start \(service) \(tag)")
    }

    func waitHealthy(_ service: String, in stack: String, timeout: Duration) async -> String? {
        do {
            try await record("wait \(service)")
        } catch {
            return "cancelled"
        }
        return unhealthyTags.contains(tag(of: service)) ? "unhealthy" : nil
    }

    func applySettings(_ text: String) async throws {
        try await record("settings")
        settings = text
    }
}

@Suite struct UpgradePlanTests {
    static func service(_ name: ServiceName) throws -> Service {
        try #require(Catalog.services.first { $0.name == name })
    }

    static func result(
        _ service: Service, newer: [String], otherMajors: [String] = [], error: String? = nil
    ) -> UpgradeCheck.Result {
        UpgradeCheck.Result(
            service: service.name.rawValue, image: service.image.repository, registry: "docker.io",
            pinned: service.image.tag, newer: newer, otherMajors: otherMajors, releaseNotes: nil, error: error)
    }

    @Test func dependenciesComeFirstAndTheCoreStackBeforeTheDashboard() throws {
        let stack = Stack(settings: try TestSupport.settings(overriding: [:]))
        let names = try UpgradePlan.services(
            named: ["grafana", "dozzle", "prometheus", "socket-proxy", "sonarr"], in: stack
        )
        .map(\.name.rawValue)
        #expect(names.first == "sonarr")
        #expect(try #require(names.firstIndex(of: "socket-proxy")) < #require(names.firstIndex(of: "dozzle")))
        #expect(try #require(names.firstIndex(of: "prometheus")) < #require(names.firstIndex(of: "grafana")))
        // Declared after what it needs in the catalog or not, the order holds: reversed input, same answer.
        let reversed = UpgradePlan.ordered(try UpgradePlan.services(named: [], in: stack).reversed())
        for service in reversed {
            for dependency in service.dependsOn {
                #expect(
                    try #require(reversed.firstIndex { $0.name == dependency })
                        < #require(reversed.firstIndex { $0.name == service.name }), "\(service.name)")
            }
        }
    }

    @Test func anUnknownOrDisabledServiceIsRefused() throws {
        let stack = Stack(settings: try TestSupport.settings(overriding: ["DISABLED_SERVICES": "plex"]))
        #expect(throws: UpgradeError.unknownService("sonar")) { try UpgradePlan.services(named: ["sonar"], in: stack) }
        #expect(throws: UpgradeError.disabledService("plex")) { try UpgradePlan.services(named: ["plex"], in: stack) }
        #expect(UpgradeError.unknownService("sonar").isUsage)
    }

    @Test func eachServiceMovesToItsNewestTagAndAnUpToDateOneIsListed() throws {
        let jellyfin = try Self.service(.jellyfin)
        let sonarr = try Self.service(.sonarr)
        let plan = try UpgradePlan.make(
            services: [jellyfin, sonarr],
            results: [
                Self.result(jellyfin, newer: ["10.11.12", "10.11.13"], otherMajors: ["11.0.0"]),
                Self.result(sonarr, newer: []),
            ],
            target: nil, configRoot: "/opt/ms")
        #expect(plan.steps.map(\.to) == ["10.11.13"])
        #expect(plan.steps.first?.reference == "jellyfin/jellyfin:10.11.13")
        #expect(plan.steps.first?.setting == "JELLYFIN_IMAGE_TAG")
        #expect(plan.steps.first?.configFolder == "/opt/ms/jellyfin")
        #expect(plan.upToDate == ["sonarr"])
    }

    @Test func toNamesAPublishedNewerReleaseTagOfTheScheme() throws {
        let jellyfin = try Self.service(.jellyfin)
        let result = Self.result(jellyfin, newer: ["10.11.12", "10.11.13"], otherMajors: ["11.0.0"])
        func plan(_ target: String) throws -> UpgradePlan {
            try UpgradePlan.make(services: [jellyfin], results: [result], target: target, configRoot: "/c")
        }
        #expect(try plan("11.0.0").steps.map(\.to) == ["11.0.0"])
        #expect(try plan("10.11.12").steps.map(\.to) == ["10.11.12"])
        #expect(
            throws: UpgradeError.notAReleaseTag(service: "jellyfin", tag: "latest", scheme: "<major>.<minor>.<patch>")
        ) {
            try plan("latest")
        }
        #expect(throws: UpgradeError.alreadyAt(service: "jellyfin", tag: jellyfin.image.tag)) {
            try plan(jellyfin.image.tag)
        }
        #expect(throws: UpgradeError.self) { try plan("10.11.99") }
        #expect(throws: UpgradeError.self) { try plan("9.0.0") }
    }

    @Test func aRegistryThatCouldNotBeAskedStopsThePlan() throws {
        let jellyfin = try Self.service(.jellyfin)
        let error = RegistryError.rateLimited(registry: "registry-1.docker.io", retryAfter: "60").description
        #expect(throws: UpgradeError.registry(service: "jellyfin", image: "jellyfin/jellyfin", reason: error)) {
            try UpgradePlan.make(
                services: [jellyfin], results: [Self.result(jellyfin, newer: [], error: error)], target: nil,
                configRoot: "/c")
        }
    }
}

@Suite struct UpgradeRunTests {
    static let before = "# my settings\nPUID=1000\nSONARR_API_KEY=0123456789abcdef0123456789abcdef\n"

    /// A config root with a `jellyfin` and a `sonarr` folder holding a database, a nested file and a link.
    static func configRoot() throws -> URL {
        let root = try TestSupport.temporaryFolder()
        for service in ["jellyfin", "sonarr"] {
            let folder = root.appendingPathComponent(service)
            try FileManager.default.createDirectory(
                at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
            try Data("\(service) schema 1\n".utf8).write(to: folder.appendingPathComponent("app.db"))
            try Data("keep\n".utf8).write(to: folder.appendingPathComponent("data/notes.txt"))
            try FileManager.default.createSymbolicLink(atPath: folder.path + "/current", withDestinationPath: "app.db")
        }
        return root
    }

    /// Every entry under `folder` with its kind and contents (or link target).
    static func tree(_ folder: URL) throws -> [String: String] {
        var entries: [String: String] = [:]
        for relative in FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? [] {
            let path = folder.path + "/" + relative
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                entries[relative] = "link \(target)"
            } else if let data = FileManager.default.contents(atPath: path) {
                entries[relative] = "file " + String(decoding: data, as: UTF8.self)
            } else {
                entries[relative] = "folder"
            }
        }
        return entries
    }

    static func plan(_ root: URL) -> UpgradePlan {
        UpgradePlan(
            steps: [
                UpgradePlan.Step(
                    service: "sonarr", stack: "compose.yml", image: "lscr.io/linuxserver/sonarr",
                    from: "4.0.19.2979-ls316",
                    to: "4.0.20.1-ls318", setting: "SONARR_IMAGE_TAG", configFolder: root.path + "/sonarr",
                    releaseNotes: nil),
                UpgradePlan.Step(
                    service: "jellyfin", stack: "compose.yml", image: "jellyfin/jellyfin", from: "10.11.11",
                    to: "10.11.12", setting: "JELLYFIN_IMAGE_TAG", configFolder: root.path + "/jellyfin",
                    releaseNotes: nil),
            ], upToDate: [])
    }

    static func run(
        _ engine: FakeUpgradeEngine, _ root: URL, free: UInt64 = 1 << 40, stop: UpgradeStop = UpgradeStop(),
        runner: any ProcessRunning = SubprocessRunner()
    ) -> UpgradeRun {
        UpgradeRun(
            engine: engine,
            snapshots: ConfigSnapshots(configRoot: root.path, runner: runner, freeBytes: { _ in free }),
            settingsText: before, healthTimeout: .seconds(5), stop: stop)
    }

    @Test func aHealthyUpgradeIsKeptAndItsTagStoredInTheSettings() async throws {
        let root = try Self.configRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let engine = FakeUpgradeEngine(settings: Self.before, configFolders: ["sonarr": root.path + "/sonarr"])
        let report = try await Self.run(engine, root).run(Self.plan(root))
        #expect(report.ok)
        #expect(report.steps.map(\.outcome) == [.upgraded, .upgraded])
        #expect(
            await engine.calls == [
                "backup", "pull lscr.io/linuxserver/sonarr:4.0.20.1-ls318", "pull jellyfin/jellyfin:10.11.12",
                "stop sonarr", "settings", "start sonarr 4.0.20.1-ls318", "wait sonarr",
                "stop jellyfin", "settings", "start jellyfin 10.11.12", "wait jellyfin",
            ])
        let settings = await engine.settings
        #expect(settings.hasPrefix(Self.before))
        #expect(settings.contains("\nSONARR_IMAGE_TAG=4.0.20.1-ls318\n"))
        #expect(settings.contains("\nJELLYFIN_IMAGE_TAG=10.11.12\n"))
        // The kept upgrade keeps the migrated folder; no copy is left behind.
        #expect(try Self.tree(root.appendingPathComponent("sonarr"))["app.db"] == "file migrated to 4.0.20.1-ls318\n")
        #expect(!FileManager.default.fileExists(atPath: root.path + "/.pre-upgrade"))
    }

    @Test func anUnhealthyUpgradeRollsBackImageAndConfigFolderAndStops() async throws {
        let root = try Self.configRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let original = try Self.tree(root.appendingPathComponent("sonarr"))
        let engine = FakeUpgradeEngine(
            settings: Self.before, unhealthyTags: ["4.0.20.1-ls318"], configFolders: ["sonarr": root.path + "/sonarr"])
        let report = try await Self.run(engine, root).run(Self.plan(root))
        #expect(!report.ok)
        #expect(report.steps.map(\.outcome) == [.rolledBack, .skipped])
        #expect(report.steps.first?.running == "4.0.19.2979-ls316")
        #expect(report.steps.first?.healthyAgain == true)
        #expect(report.steps.first?.reason?.contains("unhealthy") == true)
        // The previous folder, entry for entry, and the previous settings, byte for byte.
        #expect(try Self.tree(root.appendingPathComponent("sonarr")) == original)
        #expect(await engine.settings == Self.before)
        #expect(
            await engine.calls.suffix(6) == [
                "start sonarr 4.0.20.1-ls318", "wait sonarr", "stop sonarr", "settings", "start sonarr pinned",
                "wait sonarr",
            ])
        #expect(!(await engine.calls).contains("stop jellyfin"))
        #expect(!FileManager.default.fileExists(atPath: root.path + "/.pre-upgrade"))
    }

    @Test func aFailedBackupUpgradesNothing() async throws {
        let root = try Self.configRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let engine = FakeUpgradeEngine(settings: Self.before)
        await engine.failBackup()
        await #expect(throws: UpgradeError.self) { try await Self.run(engine, root).run(Self.plan(root)) }
        #expect(await engine.calls == ["backup"])
        #expect(await engine.settings == Self.before)
    }

    @Test func aFailedPullChangesNoService() async throws {
        let root = try Self.configRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let engine = FakeUpgradeEngine(settings: Self.before)
        await engine.failPull("jellyfin/jellyfin:10.11.12")
        do {
            _ = try await Self.run(engine, root).run(Self.plan(root))
            Issue.record("the run went on after a failed pull")
        } catch {
            #expect(error == .pullFailed(reference: "jellyfin/jellyfin:10.11.12", reason: "manifest unknown"))
        }
        #expect(!(await engine.calls).contains { $0.hasPrefix("stop") || $0 == "settings" })
    }

    @Test func aFullDiskIsFoundBeforeTheBackup() async throws {
        let root = try Self.configRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let engine = FakeUpgradeEngine(settings: Self.before)
        do {
            _ = try await Self.run(engine, root, free: 1 << 20).run(Self.plan(root))
            Issue.record("the run went on with 1 MiB free")
        } catch {
            guard case .diskFull(let path, let needed, let free) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == root.path && free == 1 << 20 && needed > free)
            #expect(error.description.contains("free some space"))
        }
        #expect(await engine.calls.isEmpty)
    }

    @Test func aCopyLeftByAnInterruptedUpgradeIsNeverOverwritten() async throws {
        let root = try Self.configRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            atPath: root.path + "/.pre-upgrade/sonarr", withIntermediateDirectories: true)
        let engine = FakeUpgradeEngine(settings: Self.before, configFolders: ["sonarr": root.path + "/sonarr"])
        let report = try await Self.run(engine, root).run(Self.plan(root))
        #expect(report.steps.map(\.outcome) == [.notUpgraded, .skipped])
        #expect(report.steps.first?.reason?.contains("interrupted upgrade") == true)
        #expect(await engine.calls.suffix(3) == ["stop sonarr", "start sonarr pinned", "wait sonarr"])
        #expect(await engine.settings == Self.before)
    }
}

@Suite struct ImageTagSettingTests {
    @Test func everyServiceHasATagSettingNamedFromItsDeclaration() {
        let keys = SettingsCatalog.definitions().filter { $0.section == .imageTags }.map(\.key)
        #expect(keys == Catalog.services.map(\.imageTagSetting))
        #expect(keys.contains("SOCKET_PROXY_IMAGE_TAG") && keys.contains("JELLYFIN_IMAGE_TAG"))
        // Not in the committed template: a copied tag would stay pinned after the catalog moves on.
        #expect(!EnvExampleRenderer().render().contents.contains("_IMAGE_TAG"))
    }

    @Test func aTagInTheSettingsIsWhatTheRenderRuns() throws {
        let settings = try TestSupport.settings(overriding: ["JELLYFIN_IMAGE_TAG": "10.99.0"])
        let compose = TestSupport.file(try TestSupport.render(settings), "compose.yml")
        #expect(compose.contains("image: jellyfin/jellyfin:10.99.0\n"))
        #expect(compose.components(separatedBy: "image: jellyfin/jellyfin:").count == 2)
        #expect(Stack(settings: settings).service(.jellyfin)?.image.tag == "10.99.0")
    }

    @Test(arguments: ["latest", "v10.11.12", "10.12", "10.11.12-rc1"])
    func aTagOutsideThePublishersSchemeIsRefusedWithItsLine(tag: String) throws {
        do {
            _ = try TestSupport.settings("PUID=1000\nJELLYFIN_IMAGE_TAG=\(tag)\n")
            Issue.record("\(tag) was accepted")
        } catch let error as SettingsError {
            let issue = try #require(error.issues.first)
            #expect(issue.key == "JELLYFIN_IMAGE_TAG" && issue.line == 2)
            #expect(issue.message.contains("not a release tag of jellyfin/jellyfin"))
        }
    }
}

@Suite struct ComposeUpgradeEngineSettingsTests {
    static func engine(_ checkout: URL) throws -> ComposeUpgradeEngine {
        ComposeUpgradeEngine(
            driver: ComposeDriver(
                cli: ComposeCLI(prefix: ["docker", "compose"]), runner: SubprocessRunner(),
                root: checkout.appendingPathComponent("deploy"), envFile: checkout.path + "/.env"),
            stack: Stack(settings: try TestSupport.settings(overriding: [:])), checkout: checkout, settingsPath: ".env",
            renderFolder: checkout.appendingPathComponent("deploy"),
            backup: {})
    }

    static func defaults() -> String {
        EnvFile.defaults(path: ".env").entries.map { "\($0.key)=\(TestSupport.quote($0.value))" }.joined(
            separator: "\n") + "\n"
    }

    @Test func theTagIsWrittenPrivatelyAndRenderedAndAHandEditStopsBothWrites() async throws {
        let checkout = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: checkout) }
        let engine = try Self.engine(checkout)
        let env = checkout.appendingPathComponent(".env")
        let before = Self.defaults()
        try await engine.applySettings(before)
        let compose = checkout.appendingPathComponent("deploy/compose.yml")
        let pinned = try #require(Catalog.services.first { $0.name == .jellyfin }).image.tag
        #expect(try String(contentsOf: compose, encoding: .utf8).contains("image: jellyfin/jellyfin:\(pinned)\n"))

        let upgraded = EnvFileWriter.setting("JELLYFIN_IMAGE_TAG", to: "10.99.0", in: before)
        try await engine.applySettings(upgraded)
        #expect(try String(contentsOf: env, encoding: .utf8) == upgraded)
        #expect(try FileManager.default.attributesOfItem(atPath: env.path)[.posixPermissions] as? Int == 0o600)
        #expect(try String(contentsOf: compose, encoding: .utf8).contains("image: jellyfin/jellyfin:10.99.0\n"))

        // A hand edit in deploy/: neither the settings nor the render change.
        let edited = try String(contentsOf: compose, encoding: .utf8) + "# mine\n"
        try edited.write(to: compose, atomically: true, encoding: .utf8)
        await #expect(throws: (any Error).self) { try await engine.applySettings(before) }
        #expect(try String(contentsOf: env, encoding: .utf8) == upgraded)
        #expect(try String(contentsOf: compose, encoding: .utf8) == edited)
    }
}

/// SIGINT or SIGTERM during an upgrade (a stop request): at each phase, the service in progress ends as it was before
/// (the config folder entry for entry, the settings byte for byte, the previous image started), the rest is skipped.
@Suite struct UpgradeInterruptionTests {
    typealias Run = UpgradeRunTests
    static let sonarrTo = "4.0.20.1-ls318"

    /// Runs the two-service plan with a stop request at `call` (and any more), returning the report and the engine.
    static func interrupted(
        at call: String, occurrence: Int = 1, more: [(String, Int, Bool)] = [], root: URL,
        runner: any ProcessRunning = SubprocessRunner(), stop: UpgradeStop = UpgradeStop()
    ) async throws -> (UpgradeRun.Report, FakeUpgradeEngine) {
        let engine = FakeUpgradeEngine(settings: Run.before, configFolders: ["sonarr": root.path + "/sonarr"])
        await engine.interrupt(stop, at: call, occurrence: occurrence)
        for (call, occurrence, hang) in more {
            await engine.interrupt(stop, at: call, occurrence: occurrence, hang: hang)
        }
        let report = try await Run.run(engine, root, stop: stop, runner: runner).run(Run.plan(root))
        return (report, engine)
    }

    @Test(arguments: ["backup", "pull lscr.io/linuxserver/sonarr:4.0.20.1-ls318", "pull jellyfin/jellyfin:10.11.12"])
    func beforeAnyServiceChangesTheRunStopsThere(call: String) async throws {
        let root = try Run.configRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let original = try Run.tree(root)
        do {
            _ = try await Self.interrupted(at: call, root: root)
            Issue.record("the run went on after the stop request")
        } catch let error as UpgradeError {
            guard case .interrupted(let signal, let phase) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(signal == SIGINT)
            #expect(phase == (call == "backup" ? "the backup" : "the pull of \(call.dropFirst(5))"))
            #expect(error.description.contains("SIGINT during") && error.description.contains("no service was changed"))
        }
        #expect(try Run.tree(root) == original)
    }

    @Test(arguments: ["start sonarr 4.0.20.1-ls318", "wait sonarr"])
    func duringTheRecreateOrHealthWaitTheServiceIsRolledBackAsOnAFailedCheck(call: String) async throws {
        let root = try Run.configRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let original = try Run.tree(root.appendingPathComponent("sonarr"))
        let (report, engine) = try await Self.interrupted(at: call, root: root)
        #expect(!report.ok)
        #expect(report.interrupted == SIGINT)
        #expect(report.steps.map(\.outcome) == [.rolledBack, .skipped])
        let step = try #require(report.steps.first)
        #expect(step.running == "4.0.19.2979-ls316" && step.healthyAgain == true)
        #expect(step.reason == "SIGINT while starting \(Self.sonarrTo) and waiting for its health")
        #expect(report.steps.last?.reason == "not attempted: SIGINT stopped the upgrade")
        // The folder the new version migrated is gone; the previous one is back, entry for entry.
        #expect(try Run.tree(root.appendingPathComponent("sonarr")) == original)
        #expect(await engine.settings == Run.before)
        #expect(await engine.calls.suffix(4) == ["stop sonarr", "settings", "start sonarr pinned", "wait sonarr"])
        #expect(!(await engine.calls).contains("stop jellyfin"))
        #expect(!FileManager.default.fileExists(atPath: root.path + "/.pre-upgrade"))
    }

    @Test func whileStoppingItTheServiceIsStartedAgainAsItWas() async throws {
        let root = try Run.configRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let original = try Run.tree(root)
        let (report, engine) = try await Self.interrupted(at: "stop sonarr", root: root)
        #expect(report.interrupted == SIGINT)
        #expect(report.steps.map(\.outcome) == [.notUpgraded, .skipped])
        #expect(report.steps.first?.reason == "SIGINT while stopping it; started again as it was")
        #expect(report.steps.first?.healthyAgain == true)
        #expect(await engine.calls.suffix(3) == ["stop sonarr", "start sonarr pinned", "wait sonarr"])
        #expect(!(await engine.calls).contains("settings"))
        #expect(try Run.tree(root) == original)
    }

    /// Runs the real `cp`, then a stop request comes while the copy tool still runs (it sleeps after copying).
    struct SlowCopy: ProcessRunning {
        let stop: UpgradeStop

        func run(
            _ executable: String, _ arguments: [String], environment: [String: String]?, workingDirectory: String?,
            timeout: Int
        ) async throws -> ProcessOutput {
            guard executable == "cp", let copy = arguments.last else {
                return try await SubprocessRunner().run(
                    executable, arguments, environment: environment, workingDirectory: workingDirectory,
                    timeout: timeout)
            }
            async let output = SubprocessRunner().run(
                "sh", ["-c", "cp \"$@\" && exec sleep 600", "sh"] + arguments, environment: environment,
                workingDirectory: workingDirectory, timeout: timeout)
            while !FileManager.default.fileExists(atPath: copy + "/app.db") {
                try await Task.sleep(for: .milliseconds(20))
            }
            stop.request(SIGINT)
            return try await output
        }
    }

    @Test func whileCopyingTheConfigFolderThePartialCopyIsRemovedAndTheServiceStarted() async throws {
        let root = try Run.configRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let original = try Run.tree(root)
        let stop = UpgradeStop()
        // No call of the engine is interrupted: the copy is.
        let (report, engine) = try await Self.interrupted(
            at: "never", root: root, runner: SlowCopy(stop: stop), stop: stop)
        #expect(report.interrupted == SIGINT)
        #expect(report.steps.map(\.outcome) == [.notUpgraded, .skipped])
        #expect(report.steps.first?.reason?.hasPrefix("SIGINT while copying \(root.path)/sonarr") == true)
        #expect(await engine.calls.suffix(3) == ["stop sonarr", "start sonarr pinned", "wait sonarr"])
        #expect(try Run.tree(root) == original, "no copy left in .pre-upgrade")
    }

    /// A second request while the rollback runs does not cut it short: the folder and the settings are put back and
    /// the previous image is started; only the wait for its health is skipped.
    @Test(arguments: [("stop sonarr", 2, false), ("settings", 2, false), ("wait sonarr", 2, true)])
    func aSecondRequestDuringTheRollbackOnlySkipsTheLastHealthWait(second: (String, Int, Bool)) async throws {
        let root = try Run.configRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let original = try Run.tree(root.appendingPathComponent("sonarr"))
        let stop = UpgradeStop()
        let (report, engine) = try await Self.interrupted(at: "wait sonarr", more: [second], root: root, stop: stop)
        #expect(stop.count == 2)
        #expect(report.interrupted == SIGINT)
        #expect(report.steps.map(\.outcome) == [.rolledBack, .skipped])
        #expect(report.steps.first?.healthyAgain == nil, "its health was not waited for")
        #expect(try Run.tree(root.appendingPathComponent("sonarr")) == original)
        #expect(await engine.settings == Run.before)
        #expect((await engine.calls).contains("start sonarr pinned"))
        #expect(!FileManager.default.fileExists(atPath: root.path + "/.pre-upgrade"))
    }

    @Test func aServiceUpgradedBeforeTheRequestKeepsItsNewTag() async throws {
        let root = try Run.configRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let (report, engine) = try await Self.interrupted(at: "wait jellyfin", root: root)
        #expect(report.steps.map(\.outcome) == [.upgraded, .rolledBack])
        #expect(report.interrupted == SIGINT)
        #expect(await engine.settings == Run.before + "SONARR_IMAGE_TAG=\(Self.sonarrTo)\n")
    }
}
