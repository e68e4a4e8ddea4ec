import Foundation
import MediaStack
import Testing

@testable import MediaStackOperations

@Suite struct WiringRunTests {
    struct Step: AppWiring {
        let app: ServiceName
        let wave: Int
        var followsTheAppsOtherSteps = false
        func plan(_ context: WiringContext) async throws(WiringFailure) -> [WiringAction] { [] }
        func apply(_ action: WiringAction, _ context: WiringContext) async throws(WiringFailure) {}
    }

    @Test func aStepThatFollowsItsAppRunsAfterTheLatestOfTheAppsOtherSteps() {
        let steps = [
            Step(app: "jellyseerr", wave: 0, followsTheAppsOtherSteps: true), Step(app: "jellyseerr", wave: 4),
            Step(app: "overseerr", wave: 0, followsTheAppsOtherSteps: true), Step(app: "overseerr", wave: 2),
            Step(app: "overseerr", wave: 1), Step(app: "sonarr", wave: 0, followsTheAppsOtherSteps: true),
        ]
        // Alone, a following step keeps its own wave.
        #expect(WiringRun.waves(steps) == [5, 4, 3, 2, 1, 0])
    }

    @Test func seerrsProxyTrustFollowsSeerrsOwnWiringWhateverItsWave() throws {
        let text = """
            JELLYSEERR_API_KEY=abcd
            OVERSEERR_API_KEY=abce
            DOMAIN=media.example.test
            AUTHELIA_SESSION_SECRET=\(String(repeating: "s", count: 64))
            AUTHELIA_STORAGE_ENCRYPTION_KEY=\(String(repeating: "k", count: 64))
            AUTHELIA_JWT_SECRET=\(String(repeating: "j", count: 64))
            """
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("waves-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(".env")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let targets = WiringTargets(
            stack: Stack(settings: try Settings.parse(text, path: ".env")), secrets: EnvSecretStore(url: url))
        let (apps, _) = targets.wirings()
        let waves = WiringRun.waves(apps)
        for seerr: ServiceName in ["jellyseerr", "overseerr"] {
            let trust = try #require(apps.indices.first { apps[$0] is SeerrProxyTrustWiring && apps[$0].app == seerr })
            let own = try #require(apps.indices.first { apps[$0] is SeerrWiring && apps[$0].app == seerr })
            #expect(waves[trust] == waves[own] + 1, "\(seerr)")
        }
    }

    @Test func everyFailureIsOneLineOfOneForm() {
        let failure = WiringFailure(
            app: "tautulli", call: "docker compose stop tautulli", status: nil,
            message: "docker compose failed (exit 1):\n  Error response from daemon\n\n  no such container\n",
            fix: "start Docker,\nthen run `mediaserver wire` again")
        #expect(
            failure.description
                == "tautulli: docker compose stop tautulli failed: docker compose failed (exit 1):; Error response from"
                + " daemon; no such container; fix: start Docker,; then run `mediaserver wire` again")
        #expect(
            WiringFailure(app: "sonarr", call: "GET /api/v3/rootfolder", status: 401, message: "Unauthorized", fix: "x")
                .description == "sonarr: GET /api/v3/rootfolder failed: HTTP 401: Unauthorized; fix: x")
    }
}
