import Foundation
import MediaStack
import MediaStackOperations
import Testing

/// `mediaserver wire` adding the Usenet provider of `.env` to SABnzbd, against the contract fake of SABnzbd's API
/// (scripts/e2e/standin/fakes.py `--app sabnzbd`), which tests the login on a news server stand-in
/// (`--app newsserver`: greeting and AUTHINFO USER/PASS) as SABnzbd's test_server does.
@Suite(.serialized)
struct UsenetWiringTests {
    static let apiKey = "5ab5ab5ab5ab5ab5ab5ab5ab5ab5ab5a"
    static let host = "news.example.test"
    static let user = "alice"
    static let password = "Pr0vider-Secret-Word"
    static let other = "Another-Secret-Word"

    final class Lab: @unchecked Sendable {
        let root: URL
        let scratch: URL
        let sabnzbd: AppFake
        var news: AppFake

        /// `usenet`: the USENET_* lines of .env; the news server accepts `user` with `password`.
        init(usenet: String, keyInEnv: String = UsenetWiringTests.apiKey) throws {
            guard IntegrationSupport.tool("python3") != nil else { throw CancellationError() }
            scratch = try IntegrationSupport.scratchCheckout()
            news = try AppFake(
                "newsserver", apiKey: nil, fsRoot: scratch,
                extra: ["--account", "\(UsenetWiringTests.user):\(UsenetWiringTests.password)"])
            // SABnzbd reaches the provider by its name; the fake resolves it to the stand-in.
            sabnzbd = try AppFake(
                "sabnzbd", apiKey: UsenetWiringTests.apiKey, fsRoot: scratch,
                extra: ["--resolve", "\(UsenetWiringTests.host):119=127.0.0.1:\(news.port)"])
            root = try IntegrationSupport.scratchCheckout(
                env: """
                    SABNZBD_API_KEY=\(keyInEnv)
                    DISABLED_SERVICES=prowlarr,sonarr,radarr,jellyfin,jellyseerr,overseerr,tautulli,plex
                    \(usenet)

                    """)
            try FileManager.default.setAttributes(
                [.posixPermissions: 0o600], ofItemAtPath: root.appendingPathComponent(".env").path)
        }

        func wire(_ extra: [String] = []) async throws -> ProcessOutput {
            try await IntegrationSupport.mediaserver(
                ["wire", "--root", root.path, "--url", "sabnzbd=\(sabnzbd.url.absoluteString)"] + extra)
        }

        /// One call to the fake as a client of SABnzbd's API makes it (form body).
        func api(_ fields: [String: String]) async throws -> WireJSON? {
            let response = try await URLSessionWiringTransport().send(
                WiringRequest(
                    "POST", "/api", form: fields.merging(["apikey": UsenetWiringTests.apiKey, "output": "json"]) { $1 }),
                to: sabnzbd.url, timeout: .seconds(10))
            #expect(response.status == 200, "the SABnzbd fake answered \(response.status)")
            return response.json
        }

        /// The servers SABnzbd holds, as its API lists them.
        func servers() async throws -> [WireJSON] {
            try await api(["mode": "get_config", "section": "servers"])?["config"]?["servers"]?.array ?? []
        }

        var ownership: String {
            (try? String(contentsOf: root.appendingPathComponent(WiringOwnership.fileName), encoding: .utf8)) ?? ""
        }

        func setEnv(_ key: String, _ value: String) throws {
            try EnvFileWriter(url: root.appendingPathComponent(".env")).set(key, value)
        }

        /// The news server again, on the same port, accepting `password` alone.
        func restartNewsServer(password: String) throws {
            news.stop()
            news = try AppFake(
                "newsserver", apiKey: nil, fsRoot: scratch, port: news.port,
                extra: ["--account", "\(UsenetWiringTests.user):\(password)"])
        }

        func stop() {
            sabnzbd.stop()
            news.stop()
            try? FileManager.default.removeItem(at: root)
        }
    }

    static let provider = """
        USENET_HOST=\(host)
        USENET_PORT=119
        USENET_SSL=false
        USENET_USERNAME=\(user)
        USENET_PASSWORD=\(password)
        USENET_CONNECTIONS=12
        """

    /// Neither password may appear in anything printed or in the record of owned objects.
    static func expectNoSecret(
        _ outputs: [ProcessOutput], _ lab: Lab, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let printed = outputs.map { $0.standardOutput + $0.standardError }.joined(separator: "\n") + lab.ownership
        // The outcome alone goes into the expectation, so a failure does not print the text that holds the secret.
        let leaked = [password, other].contains { printed.contains($0) }
        #expect(!leaked, "a password was printed", sourceLocation: sourceLocation)
    }

    @Test func addsTheServerThenASecondRunChangesNothing() async throws {
        let lab = try Lab(usenet: Self.provider)
        defer { lab.stop() }
        #expect(try await lab.servers().isEmpty)

        let plan = try await lab.wire(["--dry-run"])
        #expect(plan.status == 0, "\(plan.standardError)")
        #expect(plan.standardOutput.contains("sabnzbd: would create news server \"\(Self.host)\""))
        #expect(try await lab.servers().isEmpty, "a dry run wrote to SABnzbd")

        let first = try await lab.wire()
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("sabnzbd: done: create news server \"\(Self.host)\""))
        let servers = try await lab.servers()
        #expect(servers.count == 1)
        let server = try #require(servers.first)
        #expect(server["name"]?.string == Self.host)
        #expect(server["host"]?.string == Self.host)
        #expect(server["port"]?.int == 119)
        #expect(server["ssl"]?.int == 0)
        #expect(server["username"]?.string == Self.user)
        #expect(server["connections"]?.int == 12)
        #expect(server["enable"]?.int == 1)
        // SABnzbd holds the password itself: its own test of the stored server (masked password) logs in.
        let stored = try await lab.api([
            "mode": "config", "name": "test_server", "server": Self.host, "host": Self.host, "port": "119",
            "username": Self.user, "password": "**********", "connections": "1", "ssl": "0",
        ])
        #expect(stored?["value"]?["result"]?.bool == true, "\(String(describing: stored))")
        #expect(lab.ownership.contains("fingerprints"))

        let second = try await lab.wire(["--json"])
        #expect(second.status == 0, "\(second.standardError)")
        let report = try #require(WireJSON.parse(Data(second.standardOutput.utf8)))
        #expect(report["changed"]?.bool == false)
        let app = try #require(report["apps"]?.array?.first { $0["app"]?.string == "sabnzbd" })
        let item = try #require(app["items"]?.array?.first)
        #expect(item["kind"]?.string == "news server")
        #expect(item["change"]?.string == "unchanged")
        #expect(item["done"]?.bool == false)
        #expect(try await lab.servers() == servers)
        Self.expectNoSecret([plan, first, second], lab)
    }

    @Test func aServerMadeByHandIsLeftAlone() async throws {
        let lab = try Lab(usenet: Self.provider)
        defer { lab.stop() }
        // A person added the provider in SABnzbd's wizard, which names it by its host, with other values.
        let byName = try await lab.api([
            "mode": "set_config", "section": "servers", "keyword": Self.host, "host": Self.host, "port": "563",
            "ssl": "1", "username": "bob", "password": "handTyped-pw", "connections": "4", "enable": "1",
        ])
        let handMade = try #require(byName?["config"]?["servers"]?.array?.first)
        let first = try await lab.wire()
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("sabnzbd: news server \"\(Self.host)\" was made by hand: left alone"))
        #expect(try await lab.servers() == [handMade])

        // The same host under another name: no second server for the same provider either.
        try lab.setEnv("USENET_SERVER_NAME", "Provider")
        let second = try await lab.wire()
        #expect(second.status == 0, "\(second.standardError)")
        #expect(second.standardOutput.contains("sabnzbd: news server \"\(Self.host)\" was made by hand: left alone"))
        #expect(try await lab.servers() == [handMade])
        #expect(!lab.ownership.contains("servers"))
        Self.expectNoSecret([first, second], lab)
    }

    @Test func aRefusedLoginIsReportedThenTheCorrectedPasswordIsSent() async throws {
        let lab = try Lab(usenet: Self.provider.replacingOccurrences(of: Self.password, with: Self.other))
        defer { lab.stop() }
        let refused = try await lab.wire()
        #expect(refused.status == 1)
        #expect(refused.standardOutput.contains("sabnzbd: not done: create news server \"\(Self.host)\""))
        #expect(refused.standardError.contains("Authentication failed, check username/password."))
        #expect(refused.standardError.contains("fix: correct USENET_USERNAME and USENET_PASSWORD in .env"))
        // Tested before it is saved: SABnzbd holds no server the provider refuses.
        #expect(try await lab.servers().isEmpty)

        try lab.setEnv("USENET_PASSWORD", Self.password)
        let corrected = try await lab.wire()
        #expect(corrected.status == 0, "\(corrected.standardError)")
        #expect(corrected.standardOutput.contains("sabnzbd: done: create news server \"\(Self.host)\""))
        let again = try await lab.wire()
        #expect(again.standardOutput.contains("sabnzbd: news server \"\(Self.host)\" is as desired"))

        // A password changed in .env is tested and sent again, though SABnzbd answers it masked; refused here, it
        // is reported and the server keeps the one that works.
        try lab.setEnv("USENET_PASSWORD", Self.other)
        let plan = try await lab.wire(["--dry-run"])
        #expect(plan.standardOutput.contains("would update news server \"\(Self.host)\" (password drifted)"))
        let changed = try await lab.wire(["--json"])
        #expect(changed.status == 1)
        let report = try #require(WireJSON.parse(Data(changed.standardOutput.utf8)))
        let app = try #require(report["apps"]?.array?.first { $0["app"]?.string == "sabnzbd" })
        #expect(app["items"]?.array?.first?["drifted"] == ["password"])
        #expect(app["items"]?.array?.first?["done"] == false)
        #expect(app["failure"]?.string?.contains("Authentication failed") == true)
        let stored = try await lab.api([
            "mode": "config", "name": "test_server", "server": Self.host, "host": Self.host, "port": "119",
            "username": Self.user, "password": "**********", "connections": "1", "ssl": "0",
        ])
        #expect(stored?["value"]?["result"]?.bool == true)

        // The provider now takes the new password: it is sent, and SABnzbd's own test of what it holds passes.
        try lab.restartNewsServer(password: Self.other)
        let rotated = try await lab.wire()
        #expect(rotated.status == 0, "\(rotated.standardError)")
        #expect(
            rotated.standardOutput.contains("sabnzbd: done: update news server \"\(Self.host)\" (password drifted)"))
        let held = try await lab.api([
            "mode": "config", "name": "test_server", "server": Self.host, "host": Self.host, "port": "119",
            "username": Self.user, "password": "**********", "connections": "1", "ssl": "0",
        ])
        #expect(held?["value"]?["result"]?.bool == true, "\(String(describing: held))")
        #expect(try await lab.servers().count == 1)

        // A new USENET_SERVER_NAME cannot rename the server (SABnzbd's name is its section), nor add a second one
        // for the same host.
        try lab.setEnv("USENET_SERVER_NAME", "Provider")
        let renamed = try await lab.wire()
        #expect(renamed.status == 0, "\(renamed.standardError)")
        #expect(
            renamed.standardOutput.contains(
                "sabnzbd: news server \"\(Self.host)\" differs (name) and cannot be updated: left alone"))
        #expect(try await lab.servers().count == 1)
        Self.expectNoSecret([refused, corrected, again, plan, changed, rotated, renamed], lab)
    }

    @Test func anUnreachableProviderAndAWrongKeyAreReportedWithTheirFix() async throws {
        let lab = try Lab(
            usenet: Self.provider.replacingOccurrences(of: "USENET_HOST=\(Self.host)", with: "USENET_HOST=nowhere.test")
        )
        defer { lab.stop() }
        let unreachable = try await lab.wire()
        #expect(unreachable.status == 1)
        #expect(unreachable.standardError.contains("nowhere.test:119\" is not valid."))
        #expect(unreachable.standardError.contains("fix: check USENET_HOST, USENET_PORT and USENET_SSL in .env"))

        try lab.setEnv("SABNZBD_API_KEY", "0000000000000000000000000000abcd")
        let refused = try await lab.wire()
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("HTTP 403: API Key Incorrect"))
        #expect(refused.standardError.contains("fix: SABNZBD_API_KEY in .env is not the key in sabnzbd.ini"))
        Self.expectNoSecret([unreachable, refused], lab)
    }

    @Test func badSettingsAreRejectedBeforeAnyCall() async throws {
        let lab = try Lab(
            usenet: """
                USENET_HOST=nntps://\(Self.host):563
                USENET_SSL=yes
                USENET_CONNECTIONS=0
                USENET_PASSWORD=\(Self.password)
                """)
        defer { lab.stop() }
        let rejected = try await lab.wire()
        #expect(rejected.status == 2)
        let text = rejected.standardError
        #expect(text.contains("USENET_HOST=nntps://\(Self.host):563 holds a URL scheme"))
        #expect(text.contains("USENET_SSL=yes is not one of true, false"))
        #expect(text.contains("USENET_CONNECTIONS=0 is not a whole number in 1-500"))
        #expect(text.contains("USENET_PASSWORD is set but USENET_USERNAME is empty"))
        #expect(try await lab.servers().isEmpty)
        Self.expectNoSecret([rejected], lab)
    }
}
