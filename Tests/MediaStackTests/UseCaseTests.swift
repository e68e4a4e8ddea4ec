import Foundation
import MediaStack
import MediaStackChecks
import MediaStackRendering
import Testing

@testable import MediaStackOperations

#if canImport(Glibc)
    import Glibc
#endif

/// A host with fixed facts: no process is run (the LAN address comes from a canned `ip route` answer).
private struct CannedRouting: ProcessRunning {
    func run(
        _ executable: String, _ arguments: [String], environment: [String: String]?, workingDirectory: String?,
        timeout: Int
    ) async throws -> ProcessOutput {
        ProcessOutput(
            arguments: [executable] + arguments, status: executable == "ip" ? 0 : 1,
            standardOutput: executable == "ip" ? "192.0.2.1 via 10.0.0.1 dev eth0 src 10.0.0.7 uid 0\n" : "",
            standardError: "")
    }
}

private func mode(of path: String) -> mode_t {
    var status = stat()
    guard stat(path, &status) == 0 else { return 0 }
    return status.st_mode & 0o777
}

/// A checkout holding `.env` with the example's values, `overrides` replacing some.
private func checkout(env overrides: [String: String]? = nil) throws -> URL {
    let root = try TestSupport.temporaryFolder()
    if let overrides {
        let text = EnvFile.defaults(path: ".env").entries.map { entry in
            "\(entry.key)=\(EnvFile.literal(overrides[entry.key] ?? entry.value))"
        }.joined(separator: "\n")
        try EnvFileWriter(url: root.appendingPathComponent(".env")).write(text + "\n")
    }
    return root
}

@Suite("Render use case")
struct StackRenderTests {
    @Test func aBadSettingRefusesWithAFindingAndWritesNothing() throws {
        let root = try checkout(env: ["LAN_IP": "not-an-address"])
        #expect {
            _ = try StackRender(checkout: root).plan(settingsPath: ".env")
        } throws: { error in
            guard case StackRender.Refusal.findings(let source, let findings) = error else { return false }
            return source == ".env" && findings.map(\.id) == [.invalidSetting]
                && findings.first?.subject.hasPrefix(".env:") == true
        }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("deploy").path))
    }

    @Test func aUsersSettingsRenderIntoDeployAndASecondRenderChangesNothing() throws {
        let root = try checkout(env: [:])
        let render = StackRender(checkout: root)
        let plan = try render.plan(settingsPath: nil)
        #expect(plan.source == ".env")
        #expect(plan.folder.lastPathComponent == RenderLocation.deploymentFolder)
        #expect(plan.counts.written == plan.files.count && plan.kept.isEmpty)
        try render.write(plan)
        for file in plan.files {
            #expect(FileManager.default.fileExists(atPath: plan.folder.appendingPathComponent(file.path).path))
        }
        let again = try render.plan(settingsPath: nil)
        #expect(again.pending.isEmpty)
        #expect(render.display(again.folder) == "deploy/" && render.display(root) == "the checkout")
    }

    @Test func aHandEditStopsTheWholeRenderUnlessForced() throws {
        let root = try checkout(env: [:])
        let render = StackRender(checkout: root)
        try render.write(try render.plan(settingsPath: nil))
        let compose = root.appendingPathComponent("deploy/compose.yml")
        try Data("# edited by hand\n".utf8).write(to: compose)
        // A setting changes other files too; none may be written while compose.yml is kept.
        try EnvFileWriter(url: root.appendingPathComponent(".env")).set("SONARR_PORT", "18989")
        let plan = try render.plan(settingsPath: nil)
        #expect(plan.kept.map(\.path) == ["compose.yml"])
        let before = try plan.pending.filter { $0.action == .update }.map { change in
            try Data(contentsOf: plan.folder.appendingPathComponent(change.path))
        }
        #expect(!before.isEmpty)
        #expect {
            try render.write(plan)
        } throws: { error in
            guard case StackRender.Refusal.handEdited(let refused) = error else { return false }
            return refused.kept.map(\.path) == ["compose.yml"]
        }
        let after = try plan.pending.filter { $0.action == .update }.map { change in
            try Data(contentsOf: plan.folder.appendingPathComponent(change.path))
        }
        #expect(after == before, "a file was written although the render was refused")
        let forced = try render.plan(settingsPath: nil, force: true)
        #expect(forced.kept.isEmpty)
        try render.write(forced)
        #expect(try String(contentsOf: compose, encoding: .utf8) != "# edited by hand\n")
    }

    @Test func anEarlierRenderAtTheRootIsFoundBeforeTheFirstRenderIntoDeploy() throws {
        let root = try checkout(env: ["DISABLED_SERVICES": "tautulli"])
        let render = StackRender(checkout: root)
        let plan = try render.plan(settingsPath: nil)
        #expect(try render.earlierRenderAtRoot(plan).isEmpty)
        // The layout of an earlier version: the user's render at the checkout's root.
        try RenderWriter(root: root).apply(plan.files, RenderWriter(root: root).plan(plan.files))
        let committed = try StackRender(checkout: root).plan(settingsPath: ".env.example").files
        let differing = plan.files.filter { file in !committed.contains(file) }.map(\.path)
        #expect(differing.contains("compose.yml"))
        #expect(try render.earlierRenderAtRoot(plan) == differing)
    }
}

@Suite("Check use case")
struct StackCheckTests {
    @Test func badSettingsAreFindingsNotErrorsThrown() async throws {
        let root = try checkout(env: ["LAN_IP": "not-an-address"])
        let report = try await StackCheck(checkout: root, runner: CannedRouting()).run(
            settingsPath: nil, compose: false)
        #expect(report.source == ".env")
        #expect(report.errors == 1 && report.findings.first?.id == .invalidSetting)
    }

    @Test func driftAndAFileOpenedToEveryInterfaceAreReported() async throws {
        let root = try checkout(env: [:])
        let render = StackRender(checkout: root)
        let plan = try render.plan(settingsPath: nil)
        try render.write(plan)
        let check = StackCheck(checkout: root, runner: CannedRouting())
        #expect(
            try await check.run(settingsPath: nil, compose: false).findings.filter { $0.id == .renderDrift }.isEmpty)
        // A hand edit that publishes a port on every interface: drift, and a security finding from the disk's copy.
        let compose = plan.folder.appendingPathComponent("compose.yml")
        let text = try String(contentsOf: compose, encoding: .utf8)
        let published = try #require(text.range(of: "- ${LAN_IP:-127.0.0.1}:"))
        try Data(text.replacingCharacters(in: published, with: "- ").utf8).write(to: compose)
        let report = try await check.run(settingsPath: nil, compose: false)
        #expect(report.findings.contains { $0.id == .renderDrift && $0.subject == "compose.yml" })
        #expect(report.findings.contains { $0.id == .portOnEveryInterface })
    }
}

@Suite("Init use case")
struct EnvInitializerTests {
    static let host = HostFacts(runner: CannedRouting())

    @Test func secretsAreKeptGeneratedOrLeftToTheApp() {
        let definitions = SettingsCatalog.definitions()
        let generatable = SettingsCatalog.generatedSecrets()
        let secretKeys = definitions.filter(\.isSecret).map(\.key)
        let madeByApp = try? #require(secretKeys.first { generatable[$0] == nil })
        let previous: [String: String] = [
            "SONARR_API_KEY": "0123456789abcdef0123456789abcdef", "RADARR_API_KEY": "CHANGE_ME",
            "BORG_PASSPHRASE": "",
        ].merging(madeByApp.map { [$0: "made-by-the-app"] } ?? [:]) { $1 }
        let kept = EnvInitializer.secrets(previous: previous, rotate: false)
        #expect(kept.values["SONARR_API_KEY"] == "0123456789abcdef0123456789abcdef")
        #expect(kept.kept.contains("SONARR_API_KEY"))
        // A placeholder and an empty value are no secrets: new ones are generated.
        #expect(kept.generated.contains("RADARR_API_KEY") && kept.values["RADARR_API_KEY"]?.count == 32)
        #expect(kept.generated.contains("BORG_PASSPHRASE") && kept.values["BORG_PASSPHRASE"]?.count == 40)
        if let madeByApp {
            #expect(kept.values[madeByApp] == "made-by-the-app" && !kept.generated.contains(madeByApp))
        }
        // Every secret is either kept or generated, or made by the app.
        for key in secretKeys where generatable[key] != nil {
            #expect(kept.kept.contains(key) != kept.generated.contains(key), "\(key)")
        }
        let rotated = EnvInitializer.secrets(previous: previous, rotate: true)
        #expect(rotated.kept.isEmpty)
        #expect(rotated.values["SONARR_API_KEY"] != "0123456789abcdef0123456789abcdef")
        if let madeByApp { #expect(rotated.values[madeByApp] == "made-by-the-app") }
    }

    @Test func aFreshCheckoutGetsAPrivateEnvThatRendersAndASecondRunKeepsIt() async throws {
        let root = try checkout()
        let initializer = EnvInitializer(checkout: root, host: Self.host)
        let outcome = try await initializer.run(.init(flags: ["DATA_ROOT": "/tank/media"]))
        let env = root.appendingPathComponent(".env")
        #expect(mode(of: env.path) == 0o600)
        #expect(outcome.changes == nil && !outcome.unchanged && outcome.previousCopy == nil)
        #expect(outcome.settings["DATA_ROOT"] == "/tank/media" && outcome.settings["LAN_IP"] == "10.0.0.7")
        #expect(!outcome.generatedSecrets.isEmpty)
        #expect(outcome.settings.keys.allSatisfy { !outcome.generatedSecrets.contains($0) }, "a secret is shown")
        let text = try String(contentsOf: env, encoding: .utf8)
        let summary = initializer.summary(of: outcome).joined(separator: "\n")
        for secret in outcome.generatedSecrets {
            let value = try #require(EnvFile.parseCollectingIssues(text, path: ".env").0[secret])
            #expect(!summary.contains(value), "the summary shows \(secret)")
        }
        _ = try StackRender(checkout: root).plan(settingsPath: nil)

        await #expect {
            _ = try await initializer.run(.init())
        } throws: { error in
            guard case EnvInitializer.Refusal.exists = error else { return false }
            return true
        }
        let again = try await initializer.run(.init(force: true))
        #expect(again.unchanged && Set(again.keptSecrets) == Set(outcome.generatedSecrets))
        #expect(try String(contentsOf: env, encoding: .utf8) == text)
    }

    @Test func forceKeepsAPrivateCopyAndNamesWhatChanged() async throws {
        let root = try checkout(env: ["LAN_IP": "10.0.0.9"])
        let initializer = EnvInitializer(checkout: root, host: Self.host)
        let outcome = try await initializer.run(.init(flags: ["TZ": "Europe/Paris"], force: true))
        let copy = try #require(outcome.previousCopy)
        #expect(mode(of: copy.path) == 0o600 && copy.lastPathComponent.hasPrefix(".env.before-init-"))
        let changes = try #require(outcome.changes)
        #expect(changes.contains { $0.key == "TZ" && $0.after == "Europe/Paris" && !$0.isSecret })
        #expect(!changes.contains { $0.key == "LAN_IP" }, "the previous LAN_IP was kept")
        #expect(changes.filter(\.isSecret).allSatisfy { $0.before == nil && $0.after == nil })
    }

    @Test func aBadFlagOrARepositoryInUseWritesNothing() async throws {
        let root = try checkout()
        let initializer = EnvInitializer(checkout: root, host: Self.host)
        await #expect {
            _ = try await initializer.run(.init(flags: ["LAN_IP": "not-an-address"]))
        } throws: { error in
            guard case EnvInitializer.Refusal.invalidSettings(let issues) = error else { return false }
            return issues.contains { $0.key == "LAN_IP" }
                && (error as? EnvInitializer.Refusal)?.failure.kind == .findings
        }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(".env").path))

        let repository = root.appendingPathComponent("borg")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        try Data("[repository]\nversion = 1\n".utf8).write(to: repository.appendingPathComponent("config"))
        let written = try await initializer.run(.init(flags: ["BACKUP_ROOT": repository.path]))
        let before = try Data(contentsOf: written.path)
        await #expect {
            _ = try await initializer.run(.init(force: true, rotateSecrets: true))
        } throws: { error in
            guard case EnvInitializer.Refusal.borgRepositoryInUse(let path) = error else { return false }
            return path == repository.path
        }
        #expect(try Data(contentsOf: written.path) == before)
    }
}

@Suite("Settings file writer")
struct EnvFileWriterTests {
    @Test func theTemporaryFileIsPrivateFromItsCreation() throws {
        let root = try TestSupport.temporaryFolder()
        var transaction = Transaction(root: root)
        defer { transaction.cleanUp() }
        try transaction.stageWrite("BORG_PASSPHRASE=secret\n", to: ".env", mode: mode_t(EnvFileWriter.mode))
        // Staged, not yet renamed: the temporary file is all there is, and no one else may read it.
        let staged = try FileManager.default.contentsOfDirectory(atPath: root.path)
        #expect(staged.count == 1 && staged[0].hasSuffix(".tmp"))
        for name in staged { #expect(mode(of: root.appendingPathComponent(name).path) & 0o077 == 0, "\(name)") }
        try transaction.commit()
        #expect(mode(of: root.appendingPathComponent(".env").path) == 0o600)
    }

    @Test func aValueIsWrittenSoComposeReadsItBackExactly() throws {
        let root = try TestSupport.temporaryFolder()
        let url = root.appendingPathComponent(".env")
        try Data("# mine\nTZ=Etc/UTC\n".utf8).write(to: url)
        let writer = EnvFileWriter(url: url)
        let tricky = #"p$ss "word" #1"#
        try writer.set("JELLYFIN_ADMIN_PASSWORD", tricky)
        try writer.set("TZ", "Europe/Paris")
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.hasPrefix("# mine\nTZ=Europe/Paris\n"))
        let (file, issues) = EnvFile.parseCollectingIssues(text, path: ".env")
        #expect(issues.isEmpty && file["JELLYFIN_ADMIN_PASSWORD"] == tricky)
        #expect(mode(of: url.path) == 0o600)
        // The wiring's store writes through the same path.
        try EnvSecretStore(url: url).set("PLEX_TOKEN", "a b")
        #expect(
            EnvFile.parseCollectingIssues(try String(contentsOf: url, encoding: .utf8), path: ".env").0["PLEX_TOKEN"]
                == "a b")
    }
}

@Suite("Borgmatic output")
struct BorgmaticOutputTests {
    @Test(
        arguments: [
            ("Archive name: host-2026-01-01T03:30:00\nArchive fingerprint: ab\n", "", "host-2026-01-01T03:30:00"),
            ("", "local: Archive name: host-2026-01-02\n", "host-2026-01-02"),
            ("Repository: /backup\nDuration: 1.00 seconds\n", "", nil),
        ] as [(String, String, String?)])
    func theArchiveNameIsReadFromTheStatsLine(stderr: String, stdout: String, expected: String?) {
        let output = ProcessOutput(arguments: ["borgmatic"], status: 0, standardOutput: stdout, standardError: stderr)
        #expect(BorgmaticOutput.archiveName(in: output) == expected)
    }
}

@Suite("Deployment")
struct DeploymentTests {
    @Test func aMissingOrBadSettingsFileStopsBeforeDocker() async throws {
        let empty = try checkout()
        await #expect {
            _ = try await Deployment.open(checkout: empty, settingsPath: nil, render: false)
        } throws: { error in
            guard let failure = error as? OperationFailure else { return false }
            return failure.kind == .failed && failure.description.contains("mediaserver init")
        }
        let bad = try checkout(env: ["LAN_IP": "not-an-address"])
        for render in [false, true] {
            await #expect {
                _ = try await Deployment.open(checkout: bad, settingsPath: nil, render: render)
            } throws: { error in
                guard let failure = error as? OperationFailure else { return false }
                return failure.kind == .findings
                    && failure.lines.first?.hasPrefix("error: [invalid-setting] .env:") == true
            }
        }
        #expect(StackUp.sentence(OperationFailure(["error: one thing\n  fix: another"])) == "one thing")
    }
}

/// Every app is down: each call gets no answer.
private struct NoAppAnswers: WiringTransport {
    func send(_ request: WiringRequest, to base: URL, timeout: Duration) async throws(WiringTransportError)
        -> WiringResponse
    {
        throw .unreachable("connection refused")
    }
}

@Suite("Wire use case")
struct StackWireTests {
    @Test func aMissingSettingsFileIsAFailureWithTheFix() async throws {
        let root = try checkout()
        await #expect {
            _ = try await StackWire(checkout: root, settingsPath: ".env", transport: NoAppAnswers()).run(
                settings: try TestSupport.settings(overriding: [:]))
        } throws: { error in
            (error as? OperationFailure)?.description.contains("run `mediaserver init`") == true
        }
    }

    @Test func appsThatAreDownAreNamedAndTheOthersStillTried() async throws {
        let root = try checkout(env: [:])
        let settings = try SettingsLoader(root: root).load(".env")
        let wire = StackWire(checkout: root, settingsPath: ".env", timeout: .seconds(1), transport: NoAppAnswers())
        var progress: [String] = []
        let outcome = try await wire.run(settings: settings, progress: { progress.append($0) })
        #expect(progress.count == 1 && progress[0].hasPrefix("wiring "))
        #expect(!outcome.ok && outcome.failed.count > 1 && outcome.failed.allSatisfy { !$0.isEmpty })
        #expect(!outcome.changed)
        let summary = outcome.summary
        #expect(summary.filter { $0.hasPrefix("error: ") }.count == outcome.failed.count)
        #expect(
            summary.last?.hasPrefix("wire: \(outcome.failed.count) of \(outcome.apps.count) apps could not") == true)
        // Nothing was created, but the record of created objects is kept for the next run.
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(WiringOwnership.fileName).path))
        let dry = try await wire.run(settings: settings, dryRun: true)
        #expect(dry.dryRun && dry.lines.allSatisfy { !$0.contains("done: ") })
    }
}
