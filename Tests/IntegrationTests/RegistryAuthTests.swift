import Foundation
import MediaStack
import MediaStackOperations
import TestKit
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One role of scripts/fixtures/registry_auth_stand_in.py on a free loopback port: a registry with a realm of its
/// own, a redirecting front (what lscr.io does for Docker clients), a registry whose realm is bad, or one that
/// rate-limits. A `FixtureServer`: stops when released, and dies with the test run.
final class RegistryAuthStandIn: Sendable {
    let server: FixtureServer
    /// Holds the tags file, in the run's scratch folder.
    let folder: URL

    var port: Int { server.port }
    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// What the stand-in got: each request's path and Authorization header.
    struct Seen: Decodable, Equatable {
        let path: String
        let authorization: String?
    }

    init(_ role: String, _ argument: String? = nil, repositories: [String: [String]] = [:]) throws {
        folder = try Scratch.folder("mediaserver-auth")
        let file = folder.appendingPathComponent("tags.json")
        try JSONEncoder().encode(repositories).write(to: file)
        server = try FixtureServer.python(
            "registry stand-in (\(role))", "scripts/fixtures/registry_auth_stand_in.py",
            ["0", file.path, role] + (argument.map { [$0] } ?? []))
    }

    /// Every request the stand-in got so far, in order.
    func requests() async throws -> [Seen] {
        let (data, _) = try await URLSession.shared.data(from: endpoint.appendingPathComponent("_requests"))
        return try JSONDecoder().decode([Seen].self, from: data)
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// The registry client against registries that redirect, name a bad token realm or rate-limit: the paths of
/// lscr.io, a wrongly set up mirror, and Docker Hub's pull limit.
@Suite struct RegistryAuthTests {
    static let tags = ["4.0.19.2979-ls316", "4.0.20.1-ls318", "latest"]

    /// lscr.io redirects a Docker client to ghcr.io, whose 401 names ghcr.io's realm: the token comes from that
    /// realm and goes to that host only, never to the redirecting one.
    @Test func aRedirectToAnotherRegistryGetsItsTokenFromThatRealmAndKeepsItThere() async throws {
        let backend = try RegistryAuthStandIn("registry", repositories: ["linuxserver/sonarr": Self.tags])
        let front = try RegistryAuthStandIn("redirect", backend.endpoint.absoluteString)
        let client = RegistryClient(endpoints: ["lscr.io": front.endpoint])
        let listed = try await client.tags(of: RegistryRepository(image: "lscr.io/linuxserver/sonarr"))
        #expect(listed == Self.tags.sorted())

        let path = "/v2/linuxserver/sonarr/tags/list"
        let atBackend = try await backend.requests()
        // Asked without a token, got the challenge; asked the realm (without credentials); asked again with it.
        #expect(atBackend.map(\.path).first == path && atBackend.first?.authorization == nil)
        #expect(atBackend.dropFirst().first?.path.hasPrefix("/token?") == true)
        #expect(atBackend.dropFirst().first?.authorization == nil)
        let sent = try #require(atBackend.last?.authorization)
        #expect(atBackend.last?.path == path && sent.hasPrefix("Bearer ") && sent.count > 20)
        // The redirecting host saw the same two requests, never a credential.
        #expect(
            try await front.requests() == [
                .init(path: path, authorization: nil), .init(path: path, authorization: nil),
            ])
    }

    @Test func aRealmThatDoesNotAnswerIsNamedWithTheRegistryAndTheFix() async throws {
        let down = try ReservedPort()
        let realm = "http://127.0.0.1:\(down.port)/token"
        let registry = try RegistryAuthStandIn("bad-realm", realm)
        let client = RegistryClient(endpoints: ["lscr.io": registry.endpoint])
        await #expect(
            throws: RegistryError.tokenService(
                registry: "127.0.0.1:\(registry.port)", realm: realm, reason: "it did not answer (connection refused)")
        ) {
            try await client.tags(of: RegistryRepository(image: "lscr.io/linuxserver/sonarr"))
        }
        let notURL = try RegistryAuthStandIn("bad-realm", "token-service")
        await #expect(
            throws: RegistryError.tokenService(
                registry: "127.0.0.1:\(notURL.port)", realm: "token-service", reason: "it is not an http or https URL")
        ) {
            try await RegistryClient(endpoints: ["lscr.io": notURL.endpoint]).tags(
                of: RegistryRepository(image: "lscr.io/linuxserver/sonarr"))
        }
    }

    @Test(arguments: [
        ("120", "run it again after 120 s (Retry-After)"),
        ("Wed, 21 Oct 2026 07:28:00 GMT", "after Wed, 21 Oct 2026 07:28:00 GMT (Retry-After)"),
    ])
    func aRateLimitSaysWhenToAskAgain(retryAfter: String, says: String) async throws {
        let registry = try RegistryAuthStandIn("rate-limited", retryAfter)
        let client = RegistryClient(endpoints: ["docker.io": registry.endpoint])
        do {
            _ = try await client.tags(of: RegistryRepository(image: "grafana/grafana"))
            Issue.record("a rate-limited registry listed tags")
        } catch let error as RegistryError {
            #expect(error == .rateLimited(registry: "docker.io", retryAfter: retryAfter))
            #expect(error.description.contains(says))
            #expect(error.description.contains("--registry docker.io=https://mirror.gcr.io"))
        }
    }
}
