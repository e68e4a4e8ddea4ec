import Foundation
import MediaStackOperations
import TestKit
import Testing

/// The Plex fake (scripts/e2e/standin/fakes.py `PlexFake`) answers section creation as the public evidence says
/// Plex Media Server does (its docstring names the sources): `mediaserver wire`'s own request is taken, and what
/// PMS refuses is refused with 400, what it takes is taken.
@Suite struct PlexFakeContractTests {
    static let token = "plexOwnerToken-contract"

    final class Lab: @unchecked Sendable {
        let fsRoot: URL
        let plex: AppFake

        init() throws {
            guard IntegrationSupport.tool("python3") != nil else { throw CancellationError() }
            fsRoot = try Scratch.folder("plex-fake")
            for folder in ["movies", "tv"] {
                try FileManager.default.createDirectory(
                    at: fsRoot.appendingPathComponent("data/media/\(folder)"), withIntermediateDirectories: true)
            }
            plex = try AppFake("plex", apiKey: PlexFakeContractTests.token, fsRoot: fsRoot)
        }

        func post(_ path: String, token: String? = PlexFakeContractTests.token) async throws -> WiringResponse {
            var headers = ["Accept": "application/json"]
            if let token { headers["X-Plex-Token"] = token }
            return try await URLSessionWiringTransport().send(
                WiringRequest("POST", path, headers: headers), to: plex.url, timeout: TestTime.request)
        }
    }

    @Test func wiresOwnRequestsMakeTheDefaultLibraries() async throws {
        let lab = try Lab()
        defer { lab.plex.stop() }
        for library in PlexLibraryWiring.defaultLibraries {
            let response = try await lab.post(PlexLibraryWiring.creationPath(library))
            #expect(response.status == 200, "\(library.name): \(String(decoding: response.body, as: UTF8.self))")
            let made = response.json?["MediaContainer"]?["Directory"]?.array?.first
            #expect(made?["language"]?.string == "en-US" && made?["agent"]?.string == library.agent)
        }
        #expect(
            try await lab.post(PlexLibraryWiring.creationPath(PlexLibraryWiring.defaultLibraries[0]), token: nil)
                .status == 401)
    }

    @Test(arguments: [
        // PMS 1.32.8 refused a bare language with the current agents (python-plexapi issue #1348).
        ("type=movie&agent=tv.plex.agents.movie&scanner=Plex%20Movie&language=en", "language"),
        ("type=movie&agent=tv.plex.agents.movie&scanner=Plex%20Movie", "language"),
        ("type=movie&agent=tv.plex.agents.series&scanner=Plex%20Movie&language=en-US", "agent"),
        ("type=show&agent=tv.plex.agents.series&scanner=Plex%20Movie&language=en-US", "scanner"),
        (
            "type=movie&agent=tv.plex.agents.movie&scanner=Plex%20Movie&language=en-US&location=%2Fdata%2Fnone",
            "location"
        ),
    ])
    func whatPlexRefusesIsRefusedNamingTheParameter(_ query: String, _ parameter: String) async throws {
        let lab = try Lab()
        defer { lab.plex.stop() }
        let response = try await lab.post("/library/sections?name=Films&\(query)")
        #expect(response.status == 400)
        #expect(String(decoding: response.body, as: UTF8.self).contains("'\(parameter)' is invalid"))
    }

    @Test(arguments: [
        // A legacy agent took a bare language, and a section may have no folder yet (python-plexapi's tests
        // against a real PMS before 617206e8).
        "type=movie&agent=com.plexapp.agents.imdb&scanner=Plex%20Movie%20Scanner&language=en",
        "type=movie&agent=tv.plex.agents.movie&scanner=Plex%20Movie&language=en-US",
    ])
    func whatPlexTakesIsTaken(_ query: String) async throws {
        let lab = try Lab()
        defer { lab.plex.stop() }
        let response = try await lab.post("/library/sections?name=Films&\(query)")
        #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        let made = response.json?["MediaContainer"]?["Directory"]?.array?.first
        #expect(made?["title"]?.string == "Films" && made?["Location"]?.array?.isEmpty == true)
    }
}
