import Foundation
import MediaStack
import MediaStackOperations
import Testing

/// Tautulli's wiring to Plex against the contract fake of Tautulli (scripts/e2e/standin/fakes.py: it reads
/// config.ini at start and writes its memory back when it stops, as Tautulli does) and of Plex's `/identity`. The
/// wiring runs in process, with containers that stop and start the fake's process (no engine runs here).
@Suite(.serialized)
struct TautulliWiringTests {
    static let apiKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    static let plexToken = "tautulliTestPlexToken-42"
    static let machineID = "4c1dbe9bd2b34f6c8a6e5d4c3b2a1f00"

    /// Stops and starts the Tautulli fake on the same port, counting both.
    final class FakeContainers: WiringContainers, @unchecked Sendable {
        let lock = NSLock()
        var fake: AppFake
        let config: URL
        let fsRoot: URL
        private(set) var stops = 0
        private(set) var starts = 0
        /// The file as it was when Tautulli was started again: what the wiring wrote.
        private(set) var fileAtStart: String?

        init(config: URL, fsRoot: URL) throws {
            self.config = config
            self.fsRoot = fsRoot
            fake = try AppFake("tautulli", apiKey: nil, fsRoot: fsRoot, extra: ["--config", config.path])
        }

        func stop(_ app: ServiceName) async throws(WiringFailure) {
            lock.withLock {
                stops += 1
                fake.stop()
            }
        }

        func start(_ app: ServiceName) async throws(WiringFailure) {
            do {
                try lock.withLock {
                    starts += 1
                    fileAtStart = try String(contentsOf: config, encoding: .utf8)
                    fake = try AppFake(
                        "tautulli", apiKey: nil, fsRoot: fsRoot, port: fake.port, extra: ["--config", config.path])
                }
            } catch {
                throw WiringFailure(app: app, call: "start", message: "\(error)", fix: "")
            }
        }

        var url: URL { lock.withLock { fake.url } }
    }

    struct Lab {
        let root: URL
        let config: URL
        let plex: AppFake
        let containers: FakeContainers

        /// `configINI`: the file as Tautulli left it; `token`: PLEX_TOKEN in .env; `claimedWith`: the token in
        /// Plex's Preferences.xml (no file when nil), which Plex then accepts instead of `token`.
        init(
            configINI: String, token: String?, keyInEnv: String = TautulliWiringTests.apiKey,
            claimedWith: String? = nil
        ) throws {
            guard IntegrationSupport.tool("python3") != nil else { throw CancellationError() }
            let scratch = try IntegrationSupport.scratchCheckout()
            let configRoot = scratch.appendingPathComponent("config")
            config = configRoot.appendingPathComponent("tautulli/config.ini")
            try FileManager.default.createDirectory(
                at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
            try configINI.write(to: config, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config.path)
            root = try IntegrationSupport.scratchCheckout(
                env: """
                    TAUTULLI_API_KEY=\(keyInEnv)
                    CONFIG_ROOT=\(configRoot.path)
                    DISABLED_SERVICES=prowlarr,sonarr,radarr,jellyfin,jellyseerr,overseerr
                    \(token.map { "PLEX_TOKEN=\($0)" } ?? "")

                    """)
            try FileManager.default.setAttributes(
                [.posixPermissions: 0o600], ofItemAtPath: root.appendingPathComponent(".env").path)
            // Plex's fake answers /identity with the machine identifier it is given, and accepts the token, with which
            // Plex's own wiring adds its libraries on the media folders.
            for folder in ["tv", "movies"] {
                try FileManager.default.createDirectory(
                    at: scratch.appendingPathComponent("data/media/\(folder)"), withIntermediateDirectories: true)
            }
            if let claimedWith {
                let preferences = PlexTokenWiring.preferences(configRoot: configRoot.path)
                try FileManager.default.createDirectory(
                    at: preferences.deletingLastPathComponent(), withIntermediateDirectories: true)
                try
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Preferences MachineIdentifier=\"\(TautulliWiringTests.machineID)\" PlexOnlineToken=\"\(claimedWith)\"/>\n"
                    .write(to: preferences, atomically: true, encoding: .utf8)
            }
            plex = try AppFake(
                "plex", apiKey: claimedWith ?? token, fsRoot: scratch,
                extra: ["--machine-id", TautulliWiringTests.machineID])
            containers = try FakeContainers(config: config, fsRoot: scratch)
        }

        func wire(dryRun: Bool = false) async throws -> StackWire.Outcome {
            let settings = try SettingsLoader(root: root).load(".env")
            return try await StackWire(checkout: root, settingsPath: ".env", containers: containers).run(
                settings: settings, overrides: [.tautulli: containers.url, .plex: plex.url], dryRun: dryRun)
        }

        /// One section of Tautulli's settings, as the running app holds them (API v2 `get_settings`).
        func settings(_ section: String) async throws -> WireJSON? {
            let response = try await URLSessionWiringTransport().send(
                WiringRequest("GET", "/api/v2?apikey=\(TautulliWiringTests.apiKey)&cmd=get_settings&key=\(section)"),
                to: containers.url, timeout: .seconds(10))
            #expect(response.status == 200)
            return response.json?["response"]?["data"]
        }

        var file: String { (try? String(contentsOf: config, encoding: .utf8)) ?? "" }

        func stop() {
            containers.fake.stop()
            plex.stop()
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: config.deletingLastPathComponent().deletingLastPathComponent())
        }
    }

    static let seeded = "[General]\napi_key = \(apiKey)\napi_enabled = 1\n"

    /// Everything the run printed or would print with `--json`.
    static func printed(_ outcome: StackWire.Outcome) throws -> String {
        let json = try JSONEncoder().encode(outcome.apps)
        return (outcome.lines + outcome.summary).joined(separator: "\n") + String(decoding: json, as: UTF8.self)
    }

    static func tautulliLines(_ outcome: StackWire.Outcome) -> [String] {
        outcome.lines.filter { $0.hasPrefix("tautulli: ") }
    }

    @Test func connectsToPlexOnceTheTokenIsKnownThenASecondRunChangesNothing() async throws {
        let lab = try Lab(configINI: Self.seeded, token: Self.plexToken)
        defer { lab.stop() }
        // Tautulli has started once: its wizard is pending and it points at its default server.
        #expect(try await lab.settings("General")?["first_run_complete"]?.int == 0)
        #expect(try await lab.settings("PMS")?["pms_ip"] == "127.0.0.1")

        let plan = try await lab.wire(dryRun: true)
        #expect(Self.tautulliLines(plan) == ["tautulli: would create Plex server \"host.docker.internal:32400\""])
        #expect(lab.containers.stops == 0)

        let first = try await lab.wire()
        #expect(first.ok, "\(first.summary)")
        #expect(Self.tautulliLines(first) == ["tautulli: done: create Plex server \"host.docker.internal:32400\""])
        #expect(lab.containers.stops == 1 && lab.containers.starts == 1)
        // The running Tautulli holds the connection (it read the file at its start) and skips its wizard.
        let pms = try #require(try await lab.settings("PMS"))
        #expect(pms["pms_ip"] == "host.docker.internal")
        #expect(pms["pms_port"]?.int == 32400)
        #expect(pms["pms_ssl"]?.int == 0)
        #expect(pms["pms_url"] == "http://host.docker.internal:32400")
        #expect(pms["pms_identifier"]?.string == Self.machineID)
        #expect(try await lab.settings("General")?["first_run_complete"]?.int == 1)
        #expect(lab.file.contains("pms_token = \(Self.plexToken)\n"))
        // What the wiring wrote, read by configobj as Tautulli reads it (plexpy/config.py), with Tautulli's types.
        let written = lab.config.deletingLastPathComponent().appendingPathComponent("written.ini")
        try #require(lab.containers.fileAtStart).write(to: written, atomically: true, encoding: .utf8)
        let read = try #require(try await FirstStartSeedIntegrationTests.read("tautulli", written))
        #expect(read["first_run_complete"] as? Int == 1)
        #expect(read["api_key"] as? String == Self.apiKey)
        let connection = try #require(read["pms"] as? [String: Any])
        #expect(connection["pms_ip"] as? String == "host.docker.internal")
        #expect(connection["pms_port"] as? Int == 32400)
        #expect(connection["pms_url"] as? String == "http://host.docker.internal:32400")
        #expect(connection["pms_identifier"] as? String == Self.machineID)
        #expect(connection["pms_token"] as? String == Self.plexToken)
        #expect(lab.file.contains("api_key = \(Self.apiKey)\n"))
        let mode = try FileManager.default.attributesOfItem(atPath: lab.config.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let second = try await lab.wire()
        #expect(second.ok, "\(second.summary)")
        #expect(Self.tautulliLines(second) == ["tautulli: Plex server \"host.docker.internal:32400\" is as desired"])
        #expect(!second.changed)
        #expect(lab.containers.stops == 1, "a second run restarted Tautulli")
        for outcome in [plan, first, second] {
            #expect(!(try Self.printed(outcome)).contains(Self.plexToken), "the Plex token was printed")
            #expect(!(try Self.printed(outcome)).contains(Self.apiKey), "Tautulli's key was printed")
        }
    }

    @Test func withoutATokenItWaitsForThePlexClaimAndChangesNothing() async throws {
        let lab = try Lab(configINI: Self.seeded, token: nil)
        defer { lab.stop() }
        let before = lab.file

        let run = try await lab.wire()
        #expect(run.ok, "\(run.summary)")
        #expect(
            Self.tautulliLines(run) == [
                "tautulli: Plex server \"host.docker.internal:32400\": Plex has no token in .env yet: claim Plex (see"
                    + " plex), then run `mediaserver wire`"
            ])
        #expect(run.apps.first { $0.app == "tautulli" }?.items.first?.change == "needs-you")
        #expect(lab.containers.stops == 0)
        #expect(lab.file == before)
        #expect(try await lab.settings("General")?["first_run_complete"]?.int == 0)
    }

    @Test func aServerSomeoneChoseIsKept() async throws {
        let own =
            Self.seeded + "first_run_complete = 1\n[PMS]\npms_ip = 192.168.1.50\npms_port = 32400\n"
            + "pms_token = someoneElsesToken\npms_identifier = abc\n"
        let lab = try Lab(configINI: own, token: Self.plexToken)
        defer { lab.stop() }
        // Tautulli started with it and wrote it back with its defaults.
        let before = lab.file

        let run = try await lab.wire()
        #expect(run.ok, "\(run.summary)")
        #expect(
            Self.tautulliLines(run) == [
                "tautulli: Plex server \"host.docker.internal:32400\" was made by hand: left alone"
            ])
        #expect(lab.containers.stops == 0, "the wiring restarted Tautulli")
        #expect(lab.file == before)
        #expect(try await lab.settings("PMS")?["pms_ip"] == "192.168.1.50")
        #expect(!(try Self.printed(run)).contains("someoneElsesToken"))
    }

    @Test func aKeyTautulliDoesNotHoldIsNamedWithTheFix() async throws {
        let lab = try Lab(configINI: Self.seeded, token: Self.plexToken, keyInEnv: "00000000000000000000000000000000")
        defer { lab.stop() }
        let before = lab.file

        let run = try await lab.wire()
        #expect(!run.ok)
        let failure = try #require(run.apps.first { $0.app == "tautulli" }?.failure)
        #expect(failure.contains("GET /api/v2 failed: HTTP 400: Invalid apikey"), "\(failure)")
        #expect(failure.contains("fix: TAUTULLI_API_KEY in .env is not the key in"))
        // Checked before anything changes: Tautulli was not restarted and its file is as it was.
        #expect(lab.containers.stops == 0)
        #expect(lab.file == before)
        #expect(!(try Self.printed(run)).contains("00000000000000000000000000000000"))
        #expect(!(try Self.printed(run)).contains(Self.plexToken))
    }

    /// Plex claimed again: its new token replaces the old one in `.env`, and Tautulli's connection to this Plex,
    /// which `wire` made, follows it; a second run changes nothing.
    @Test func aNewClaimReachesEnvAndTautulli() async throws {
        let renewed = "tautulliTestRenewedPlexToken-7"
        let wired =
            Self.seeded + "first_run_complete = 1\n[PMS]\npms_ip = host.docker.internal\npms_port = 32400\n"
            + "pms_ssl = 0\npms_url = http://host.docker.internal:32400\npms_url_manual = 0\npms_is_remote = 0\n"
            + "pms_identifier = \(Self.machineID)\npms_token = \(Self.plexToken)\n"
        let lab = try Lab(configINI: wired, token: Self.plexToken, claimedWith: renewed)
        defer { lab.stop() }

        let run = try await lab.wire()
        #expect(run.ok, "\(run.summary)")
        #expect(
            run.lines.contains(
                "plex: done: update token \"PLEX_TOKEN in .env\" (Plex's PlexOnlineToken drifted)"), "\(run.lines)")
        #expect(
            Self.tautulliLines(run) == [
                "tautulli: done: update Plex server \"host.docker.internal:32400\" (pms_token drifted)"
            ])
        #expect(lab.containers.stops == 1 && lab.containers.starts == 1)
        let env = try String(contentsOf: lab.root.appendingPathComponent(".env"), encoding: .utf8)
        #expect(env.contains("PLEX_TOKEN=\(renewed)\n") && !env.contains(Self.plexToken))
        #expect(lab.file.contains("pms_token = \(renewed)\n") && !lab.file.contains(Self.plexToken))
        #expect(try await lab.settings("PMS")?["pms_identifier"]?.string == Self.machineID)

        let second = try await lab.wire()
        #expect(second.ok, "\(second.summary)")
        #expect(Self.tautulliLines(second) == ["tautulli: Plex server \"host.docker.internal:32400\" is as desired"])
        #expect(lab.containers.stops == 1, "a second run restarted Tautulli")
        for outcome in [run, second] {
            #expect(!(try Self.printed(outcome)).contains(renewed), "the new Plex token was printed")
            #expect(!(try Self.printed(outcome)).contains(Self.plexToken), "the old Plex token was printed")
        }
    }

    /// Plex set up anew at the same address (another machine identifier, the same account's token): Tautulli's
    /// connection, made by `wire`, is given the new identifier.
    @Test func aPlexSetUpAnewIsFollowed() async throws {
        let wired =
            Self.seeded + "first_run_complete = 1\n[PMS]\npms_ip = host.docker.internal\npms_port = 32400\n"
            + "pms_identifier = 0000aaaa0000aaaa0000aaaa0000aaaa\npms_token = \(Self.plexToken)\n"
        let lab = try Lab(configINI: wired, token: Self.plexToken)
        defer { lab.stop() }

        let run = try await lab.wire()
        #expect(run.ok, "\(run.summary)")
        #expect(
            Self.tautulliLines(run) == [
                "tautulli: done: update Plex server \"host.docker.internal:32400\" (pms_identifier drifted)"
            ])
        #expect(try await lab.settings("PMS")?["pms_identifier"]?.string == Self.machineID)
        #expect(lab.containers.stops == 1)
    }
}
