import Foundation
import MediaStack
import MediaStackOperations
import Testing

/// `RegistryClient` and `UpgradeCheck` against a real registry (docker-registry 2.8 with token auth) on loopback.
@Suite(.serialized) struct RegistryIntegrationTests {
    static let tags = ["v3.13.0", "v3.14.0", "v3.14.1", "v3.15.0-rc.0", "v3.15.0", "v4.0.0", "latest", "main"]

    @Test func listsTagsThroughTheAnonymousTokenFlow() async throws {
        guard let lab = try RegistryLab.start(registryPort: 18_741, tokenPort: 18_742) else { return }
        defer { lab.stop() }
        try lab.push("prom/prometheus", tags: Self.tags)
        let client = RegistryClient(endpoints: ["docker.io": lab.endpoint])
        let tags = try await client.tags(of: RegistryRepository(image: "prom/prometheus"))
        #expect(Set(tags) == Set(Self.tags))
    }

    @Test func namesEachFault() async throws {
        guard let lab = try RegistryLab.start(registryPort: 18_743, tokenPort: 18_744) else { return }
        defer { lab.stop() }
        try lab.push("prom/prometheus", tags: ["v3.14.0"])
        let client = RegistryClient(endpoints: [
            "docker.io": lab.endpoint, "down.example": URL(string: "http://127.0.0.1:18749")!,
        ])
        // 404 NAME_UNKNOWN from the registry, after a granted token.
        await #expect(throws: RegistryError.notFound(repository: "docker.io/prom/unknown")) {
            try await client.tags(of: RegistryRepository(image: "prom/unknown"))
        }
        // The token server grants nothing for private/…: the registry answers 401 insufficient_scope.
        do {
            _ = try await client.tags(of: RegistryRepository(image: "private/app"))
            Issue.record("a private repository listed its tags")
        } catch let error as RegistryError {
            guard case .unauthorized(let repository, let detail) = error else {
                Issue.record("expected unauthorized, got \(error)")
                return
            }
            #expect(repository == "docker.io/private/app")
            #expect(detail.contains("401"))
            #expect(!error.description.contains("eyJ"), "no token in the message")
        }
        // Nothing listens.
        do {
            _ = try await client.tags(of: RegistryRepository(image: "down.example/team/app"))
            Issue.record("a registry that is down answered")
        } catch let error as RegistryError {
            guard case .unreachable(let registry, _) = error else {
                Issue.record("expected unreachable, got \(error)")
                return
            }
            #expect(registry == "127.0.0.1:18749")
        }
    }

    @Test func followsLinkPaginationAndReportsRateLimits() async throws {
        let tags = (0..<23).map { "v1.\($0).0" }
        let standIn = try TagListStandIn(port: 18_745, pageSize: 5, repositories: ["team/app": tags])
        let client = RegistryClient(endpoints: ["docker.io": standIn.endpoint])
        let listed = try await client.tags(of: RegistryRepository(image: "team/app"))
        #expect(listed == tags.sorted())
        await #expect(throws: RegistryError.rateLimited(registry: "docker.io", retryAfter: "60")) {
            try await client.tags(of: RegistryRepository(image: "ratelimited/app"))
        }
    }

    @Test func upgradeCheckPicksNewerReleasesOfTheSameMajor() async throws {
        guard let lab = try RegistryLab.start(registryPort: 18_746, tokenPort: 18_747) else { return }
        defer { lab.stop() }
        try lab.push("prom/prometheus", tags: Self.tags)
        let check = UpgradeCheck(client: RegistryClient(endpoints: ["docker.io": lab.endpoint]))
        let accepts: @Sendable (String) -> Bool = { tag in
            tag.hasPrefix("v") && tag.dropFirst().split(separator: ".").count == 3
                && tag.dropFirst().allSatisfy { $0.isNumber || $0 == "." }
        }
        let results = await check.run([
            .init(service: "prometheus", image: ImageReference("prom/prometheus", tag: "v3.14.0"), accepts: accepts),
            .init(service: "grafana", image: ImageReference("grafana/grafana", tag: "13.2.0"), accepts: { _ in true }),
        ])
        #expect(results.map(\.service) == ["prometheus", "grafana"])
        #expect(results[0].newer == ["v3.14.1", "v3.15.0"])
        #expect(results[0].otherMajors == ["v4.0.0"])
        #expect(results[0].releaseNotes == "https://github.com/prometheus/prometheus/releases")
        #expect(results[0].error == nil)
        #expect(results[1].error?.contains("no repository docker.io/grafana/grafana") == true)
    }
}
