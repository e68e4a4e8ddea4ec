import Foundation
import MediaStack
import Testing

@testable import MediaStackOperations

@Suite struct PlexWiringTests {
    static let movies = PlexLibraryWiring.defaultLibraries[0]
    static let tv = PlexLibraryWiring.defaultLibraries[1]

    func targets(_ env: String) throws -> WiringTargets {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plex-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(".env")
        try env.write(to: url, atomically: true, encoding: .utf8)
        return WiringTargets(
            stack: Stack(settings: try Settings.parse(env, path: ".env")), secrets: EnvSecretStore(url: url))
    }

    @Test func theLibrariesLieInTheMediaTreeTheCatalogMountsIntoPlex() throws {
        let plex = try #require(Catalog.services.first { $0.name == "plex" })
        #expect(PlexLibraryWiring.libraries(mountedIn: plex) == PlexLibraryWiring.defaultLibraries)
        // The folders Jellyfin's libraries, Sonarr's and Radarr's root folders and Plex's libraries share.
        #expect(Self.movies.path == WiringTargets.moviesFolder && Self.tv.path == WiringTargets.tvFolder)
        #expect(Set(JellyfinWiring.defaultLibraries.map(\.path)) == [Self.movies.path, Self.tv.path])
        #expect([Self.movies.type, Self.tv.type] == ["movie", "show"])
        #expect([Self.movies.agent, Self.tv.agent] == ["tv.plex.agents.movie", "tv.plex.agents.series"])
        #expect([Self.movies.scanner, Self.tv.scanner] == ["Plex Movie", "Plex TV Series"])
        // A Plex without the media tree gets no library.
        let bare = try #require(Catalog.services.first { $0.name == "tautulli" })
        #expect(PlexLibraryWiring.libraries(mountedIn: bare).isEmpty)
    }

    func section(_ key: String, _ title: String, _ type: String, _ paths: [String]) -> PlexLibraryWiring.Section {
        PlexLibraryWiring.Section(key: key, title: title, type: type, locations: paths)
    }

    func owning(_ name: String, _ id: Int) -> WiringOwnership {
        var owned = WiringOwnership()
        owned.record(app: "plex", path: "/library/sections", key: name, id: id)
        return owned
    }

    @Test func aLibraryIsMadeOnlyWhereNoneCoversItsFolder() {
        let plan = { (sections: [PlexLibraryWiring.Section], owned: WiringOwnership) in
            PlexLibraryWiring.action(for: Self.movies, sections, owned: owned)
        }
        #expect(plan([], WiringOwnership()).change == .create)
        // Another type on the folder, or the folder in a library of another name: ours is still made.
        #expect(plan([section("3", "Clips", "show", ["/data/media/movies"])], WiringOwnership()).change == .create)
        // Ours, as made (a trailing slash is the same folder).
        #expect(
            plan([section("1", "Movies", "movie", ["/data/media/movies/"])], owning("Movies", 1)).change == .unchanged)
        // A person's library on the folder, under any name: left alone, named as the person named it.
        let theirs = plan([section("7", "Films", "movie", ["/mnt/x", "/data/media/movies"])], owning("Movies", 1))
        #expect(theirs.change == .userMade && theirs.key == "Films")
        // A person's library of that name elsewhere is not doubled; ours moved elsewhere is reported, not changed.
        #expect(plan([section("7", "movies", "movie", ["/mnt/films"])], WiringOwnership()).change == .userMade)
        #expect(
            plan([section("1", "Movies", "movie", ["/mnt/films"])], owning("Movies", 1)).change
                == .driftedNotUpdatable(drifted: ["type", "Location"]))
    }

    @Test func overseerrReachesPlexThroughTheHostGatewayAfterPlexIsWired() throws {
        let targets = try targets("OVERSEERR_API_KEY=abcd\nDISABLED_SERVICES=jellyfin,jellyseerr\n")
        let (apps, _) = targets.wirings()
        let token = try #require(apps.first { $0 is PlexTokenWiring })
        let libraries = try #require(apps.first { $0 is PlexLibraryWiring } as? PlexLibraryWiring)
        let overseerr = try #require(apps.first { $0.app == "overseerr" } as? SeerrWiring)
        #expect(libraries.base.absoluteString == "http://127.0.0.1:32400")
        #expect(token.wave < libraries.wave && libraries.wave < overseerr.wave)
        let plex = try #require(overseerr.plex)
        #expect(plex.hostname == "host.docker.internal" && plex.port == 32400)
        #expect(plex.libraries == PlexLibraryWiring.defaultLibraries)
        // The name resolves in Overseerr's container: the catalog maps it to the host gateway there.
        let service = try #require(targets.stack.service("overseerr"))
        #expect(service.extraHosts == ["\(plex.hostname):host-gateway"])
        #expect(Catalog.services.first { $0.name == "jellyseerr" }?.extraHosts == [])
        // Without Plex, Overseerr's Plex server stays a person's choice.
        let (withoutPlex, _) = try self.targets("OVERSEERR_API_KEY=abcd\nDISABLED_SERVICES=plex\n").wirings()
        #expect((withoutPlex.first { $0.app == "overseerr" } as? SeerrWiring)?.plex == nil)
        #expect(!withoutPlex.contains { $0.app == "plex" })
    }

    /// An app step that only plans.
    struct Step: AppWiring {
        let app: ServiceName
        let wave: Int
        let text: String
        func plan(_ context: WiringContext) async throws(WiringFailure) -> [WiringAction] {
            [WiringAction(app: app, kind: "step", key: text, change: .needsPerson(text))]
        }
        func apply(_ action: WiringAction, _ context: WiringContext) async throws(WiringFailure) {}
    }

    @Test func anAppWiredInTwoStepsIsOneReport() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plex-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let context = WiringContext(
            transport: URLSessionWiringTransport(), timeout: .seconds(1),
            secrets: EnvSecretStore(url: folder.appendingPathComponent(".env")), ownership: WiringOwnership())
        let reports = await WiringRun(context: context, dryRun: true).run([
            Step(app: "plex", wave: 0, text: "token"), Step(app: "sonarr", wave: 0, text: "sonarr"),
            Step(app: "plex", wave: 1, text: "libraries"),
        ])
        #expect(reports.map(\.app) == ["plex", "sonarr"])
        #expect(reports.first?.items.map(\.name) == ["token", "libraries"])
    }

    /// Fixed answers of Overseerr and Plex for one plan: Overseerr's Plex settings, Plex's id and its two libraries.
    struct Answers: WiringTransport {
        let settings: WireJSON
        let machine: String
        func send(_ request: WiringRequest, to base: URL, timeout: Duration) async throws(WiringTransportError)
            -> WiringResponse
        {
            let sections: WireJSON = [
                "MediaContainer": [
                    "Directory": [
                        ["key": "1", "title": "Movies", "type": "movie", "Location": [["path": "/data/media/movies"]]],
                        ["key": "2", "title": "TV Shows", "type": "show", "Location": [["path": "/data/media/tv"]]],
                    ]
                ]
            ]
            let body: WireJSON? =
                switch request.path {
                case "/api/v1/settings/plex": settings
                case "/identity": ["MediaContainer": ["machineIdentifier": .string(machine)]]
                case "/library/sections": sections
                default: nil
                }
            return WiringResponse(status: body == nil ? 404 : 200, body: body?.encoded() ?? Data())
        }
    }

    func overseerrPlexSteps(ip: String, machineId: String, enabled: [String], plexMachine: String) async throws
        -> [WiringChange]
    {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plex-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "PLEX_TOKEN=owner-token\n".write(
            to: folder.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let settings: WireJSON = [
            "ip": .string(ip), "port": 32400, "machineId": .string(machineId),
            "libraries": .array(["1", "2"].map { ["id": .string($0), "enabled": .bool(enabled.contains($0))] }),
        ]
        let context = WiringContext(
            transport: Answers(settings: settings, machine: plexMachine), timeout: .seconds(1),
            secrets: EnvSecretStore(url: folder.appendingPathComponent(".env")), ownership: WiringOwnership())
        let plex = SeerrWiring.PlexServer(
            hostname: "host.docker.internal", port: 32400, base: URL(string: "http://127.0.0.1:32400")!,
            libraries: PlexLibraryWiring.defaultLibraries)
        let wiring = SeerrWiring(
            app: "overseerr", base: URL(string: "http://127.0.0.1:5155")!, apiKey: "k", keySetting: "OVERSEERR_API_KEY",
            jellyfinHost: nil, jellyfinPort: 0, libraries: [], servers: [], plex: plex)
        return try await wiring.plexSteps(context, signedIn: true).map(\.change)
    }

    @Test func overseerrsPlexServerIsComparedByAddressAndMachine() async throws {
        let ours = "host.docker.internal"
        #expect(
            try await overseerrPlexSteps(ip: ours, machineId: "m1", enabled: ["1", "2"], plexMachine: "m1") == [
                .unchanged, .unchanged,
            ])
        // A library turned off since is enabled again.
        #expect(
            try await overseerrPlexSteps(ip: ours, machineId: "m1", enabled: ["1"], plexMachine: "m1") == [
                .unchanged, .create,
            ])
        // Plex set up anew behind our address: the settings are saved again (Seerr reads the new id), then synced.
        #expect(
            try await overseerrPlexSteps(ip: ours, machineId: "old", enabled: ["1", "2"], plexMachine: "m2") == [
                .update(drifted: ["machineId"]), .create,
            ])
        // A person's choice: another server is left alone; this Plex at another address gets its libraries enabled.
        #expect(
            try await overseerrPlexSteps(ip: "192.168.1.5", machineId: "other", enabled: [], plexMachine: "m1") == [
                .userMade, .userMade,
            ])
        #expect(
            try await overseerrPlexSteps(ip: "192.168.1.5", machineId: "m1", enabled: [], plexMachine: "m1") == [
                .userMade, .create,
            ])
        #expect(
            try await overseerrPlexSteps(ip: "", machineId: "", enabled: [], plexMachine: "m1") == [.create, .create])
    }
}
