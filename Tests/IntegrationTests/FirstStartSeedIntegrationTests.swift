import Foundation
import MediaStack
import MediaStackOperations
import TestKit
import Testing

/// The seeded files read by the libraries the apps read them with: configobj 5.0.9 (SABnzbd, Tautulli) and Dynaconf
/// 3.2.6 with the types Bazarr validates (Tests/Fixtures/first-start/read_like_the_apps.py).
@Suite struct FirstStartSeedIntegrationTests {
    static let script = IntegrationSupport.fixtures.appendingPathComponent("first-start/read_like_the_apps.py").path
    /// Test keys in the apps' format (32 hex characters), not secrets: a failing expectation may print them.
    /// Bazarr's is all digits: unquoted, YAML would read it as a number.
    static let keys = [
        "SABNZBD_API_KEY": "5ab0000000000000000000000000a01e", "SABNZBD_NZB_KEY": "5ab0000000000000000000000000b02e",
        "BAZARR_API_KEY": "12345678901234567890123456789012", "TAUTULLI_API_KEY": "7a07000000000000000000000000d04e",
        "SONARR_API_KEY": "50a0000000000000000000000000e05e", "RADARR_API_KEY": "4ada000000000000000000000000f06e",
        "TAUTULLI_PASSWORD": "tautulli-test-password",
    ]

    static func stack() throws -> (Stack, URL) {
        let root = try Scratch.folder("mediaserver-seed")
        var values = keys
        values["CONFIG_ROOT"] = root.path
        let text = try IntegrationSupport.exampleSettings(overriding: values)
        return (Stack(settings: try Settings.parse(text, path: ".env")), root)
    }

    /// What the app would see, as JSON; nil (with a recorded issue) when Python or its libraries are missing.
    static func read(_ app: String, _ path: URL, _ more: [String] = []) async throws -> [String: Any]? {
        guard let python = IntegrationSupport.tool("python3") else { return nil }
        let output = try await IntegrationSupport.run(python, [script, app, path.path] + more)
        guard output.succeeded else {
            let message = "\(app) could not read \(path.lastPathComponent): \(output.standardError.suffix(600))"
            Issue.record("\(message)\n(scripts/install-test-tools installs configobj and dynaconf)")
            return nil
        }
        return try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
    }

    @Test func theAppsReadTheKeysOfANewInstall() async throws {
        let (stack, root) = try Self.stack()
        try FirstStartSeeder(stack: stack, hostName: "mediabox").seed()

        let sabnzbd = try await Self.read("sabnzbd", root.appendingPathComponent("sabnzbd/sabnzbd.ini"))
        #expect(sabnzbd?["api_key"] as? String == Self.keys["SABNZBD_API_KEY"])
        #expect(sabnzbd?["nzb_key"] as? String == Self.keys["SABNZBD_NZB_KEY"])
        #expect(sabnzbd?["host_whitelist"] as? [String] == ["sabnzbd", "mediabox"])
        #expect(sabnzbd?["download_dir"] as? String == "/data/usenet/incomplete")
        #expect(sabnzbd?["complete_dir"] as? String == "/data/usenet/complete")
        let categories = sabnzbd?["categories"] as? [String: [String: String]]
        #expect(categories?.keys.sorted() == ["*", "movies", "tv"])
        #expect(categories?["tv"]?["dir"] == "tv" && categories?["movies"]?["dir"] == "movies")

        let tautulliFile = root.appendingPathComponent("tautulli/config.ini")
        let tautulli = try await Self.read("tautulli", tautulliFile, [Self.keys["TAUTULLI_PASSWORD"] ?? ""])
        #expect(tautulli?["api_key"] as? String == Self.keys["TAUTULLI_API_KEY"])
        #expect(tautulli?["api_enabled"] as? Int == 1)
        // The login Tautulli turns on: its user, and a digest its check accepts for .env's password alone.
        #expect(tautulli?["http_username"] as? String == "admin")
        #expect(tautulli?["http_hashed_password"] as? Int == 1)
        #expect(tautulli?["password_checks"] as? Bool == true)
        let wrong = try await Self.read("tautulli", tautulliFile, ["tautulli-test-passwore"])
        #expect(wrong?["password_checks"] as? Bool == false)

        let bazarr = try await Self.read("bazarr", root.appendingPathComponent("bazarr/config/config.yaml"))
        #expect(bazarr?["apikey"] as? String == Self.keys["BAZARR_API_KEY"])
        #expect(bazarr?["use_sonarr"] as? Bool == true && bazarr?["use_radarr"] as? Bool == true)
        let sonarr = bazarr?["sonarr"] as? [String: Any]
        #expect(sonarr?["ip"] as? String == "sonarr" && sonarr?["port"] as? Int == 8989)
        #expect(sonarr?["apikey"] as? String == Self.keys["SONARR_API_KEY"] && sonarr?["ssl"] as? Bool == false)
        let radarr = bazarr?["radarr"] as? [String: Any]
        #expect(radarr?["ip"] as? String == "radarr" && radarr?["port"] as? Int == 7878)
        #expect(radarr?["apikey"] as? String == Self.keys["RADARR_API_KEY"])
    }

    @Test func aFileSabnzbdWroteKeepsItsValuesAndReadsBackWithOurs() async throws {
        let (stack, root) = try Self.stack()
        let path = root.appendingPathComponent("sabnzbd/sabnzbd.ini")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard let python = IntegrationSupport.tool("python3") else { return }
        let theirs = "0123456789abcdef0123456789abcd00"
        let written = try await IntegrationSupport.run(python, [Self.script, "write-sabnzbd", path.path, theirs])
        #expect(written.succeeded, "\(written.standardError)")

        let plans = try FirstStartSeeder(stack: stack, hostName: nil).seed()
        let sabnzbd = try await Self.read("sabnzbd", path)
        #expect(sabnzbd?["api_key"] as? String == theirs)
        #expect(sabnzbd?["nzb_key"] as? String == Self.keys["SABNZBD_NZB_KEY"])
        #expect(sabnzbd?["host_whitelist"] as? [String] == ["mybox", "sabnzbd"])
        #expect(sabnzbd?["download_dir"] as? String == "Downloads/incomplete")
        #expect(sabnzbd?["servers"] as? [String] == ["news.example.com"])
        let categories = sabnzbd?["categories"] as? [String: [String: String]]
        // The categories SABnzbd wrote are the user's choice: kept as they are, none added.
        #expect(categories?.keys.sorted() == ["*", "tv"])
        #expect(categories?["tv"]?["dir"] == "")

        let report = FirstStartSeeder.report(plans).joined(separator: "\n")
        #expect(report.contains("kept misc.api_key") && !report.contains(theirs))
        // A second run finds everything in place.
        #expect(try FirstStartSeeder(stack: stack, hostName: nil).plan().allSatisfy { !$0.changes })
    }

    @Test func aBazarrFileBazarrRewroteKeepsItsValuesAndReadsBackWithOurs() async throws {
        let (stack, root) = try Self.stack()
        let path = root.appendingPathComponent("bazarr/config/config.yaml")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        // As Bazarr writes it after a first start without us: every key, Sonarr pointed at by hand.
        try """
        analytics:
          enabled: true
        auth:
          apikey: ''
          password: ''
          type: null
          username: ''
        general:
          ip: '*'
          port: 6767
          use_radarr: false
          use_sonarr: true
        radarr:
          apikey: ''
          ip: 127.0.0.1
          port: 7878
        sonarr:
          apikey: 0123456789abcdef0123456789abcdef
          ip: 10.0.0.9
          port: 8989
        """.write(to: path, atomically: true, encoding: .utf8)
        try FirstStartSeeder(stack: stack, hostName: nil).seed()
        let bazarr = try await Self.read("bazarr", path)
        #expect(bazarr?["apikey"] as? String == Self.keys["BAZARR_API_KEY"])
        #expect(bazarr?["use_radarr"] as? Bool == false)
        let sonarr = bazarr?["sonarr"] as? [String: Any]
        #expect(sonarr?["ip"] as? String == "10.0.0.9")
        #expect(sonarr?["apikey"] as? String == "0123456789abcdef0123456789abcdef")
        let radarr = bazarr?["radarr"] as? [String: Any]
        #expect(radarr?["ip"] as? String == "127.0.0.1" && radarr?["apikey"] as? String == Self.keys["RADARR_API_KEY"])
    }
}
