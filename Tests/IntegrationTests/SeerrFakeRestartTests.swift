import Foundation
import MediaStackOperations
import TestKit
import Testing

/// Seerr's contract fake (scripts/e2e/standin/fakes.py `SeerrFake`, the e2e stand-in's Seerr) keeps across a
/// restart what Seerr keeps in its config directory: settings.json and its database.
@Suite struct SeerrFakeRestartTests {
    static let key = "5ee40000000000000000000000000a01"
    static let ownerToken = "plexOwnerToken-seerr"

    @Test func aRestartedSeerrKeepsItsUserAndSettingsAndStartsWithTheTrustItSaved() async throws {
        guard IntegrationSupport.tool("python3") != nil else { return }
        let fsRoot = try Scratch.folder("seerr-fake")
        let config = fsRoot.appendingPathComponent("app/config")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        let plexTV = try AppFake("plextv", apiKey: Self.ownerToken, fsRoot: fsRoot)
        defer { plexTV.stop() }
        let arguments = ["--plex-tv", plexTV.url.absoluteString, "--config-dir", config.path]

        let first = try AppFake("seerr", apiKey: Self.key, fsRoot: fsRoot, extra: arguments)
        let signIn = try await first.call("POST", "/api/v1/auth/plex", body: ["authToken": .string(Self.ownerToken)])
        #expect(signIn.status == 200)
        #expect(try await first.call("POST", "/api/v1/settings/network", body: ["trustProxy": true]).status == 200)
        #expect(try await first.call("GET", "/api/v1/status").json?["restartRequired"] == true)
        first.stop()

        // Where Seerr keeps them: the settings in settings.json, the user in the database beside it.
        let settings =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: config.appendingPathComponent("settings.json"))) as? [String: Any]
        #expect((settings?["network"] as? [String: Any])?["trustProxy"] as? Bool == true)
        #expect((settings?["main"] as? [String: Any])?["mediaServerType"] as? Int == 1)

        let second = try AppFake("seerr", apiKey: Self.key, fsRoot: fsRoot, extra: arguments)
        defer { second.stop() }
        // Still signed in (user 1 acts for the API key), the trust read at start: no restart due any more.
        let network = try await second.call("GET", "/api/v1/settings/network")
        #expect(network.status == 200)
        #expect(network.json?["trustProxy"] == true)
        #expect(try await second.call("GET", "/api/v1/status").json?["restartRequired"] == false)
        #expect(try await second.call("GET", "/api/v1/settings/public").json?["mediaServerType"] == 1)
    }
}
