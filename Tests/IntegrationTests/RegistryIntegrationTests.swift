import Foundation
import MediaStack
import MediaStackOperations
import Testing

/// `RegistryClient` and `UpgradeCheck` against a real registry (docker-registry 2.8 with token auth) on loopback.
@Suite(.serialized) struct RegistryIntegrationTests {
    static let tags = ["v3.13.0", "v3.14.0", "v3.14.1", "v3.15.0-rc.0", "v3.15.0", "v4.0.0", "latest", "main"]

    @Test func listsTagsThroughTheAnonymousTokenFlow() async throws {
        guard let lab = try RegistryLab.start() else { return }
        defer { lab.stop() }
        try lab.push("prom/prometheus", tags: Self.tags)
        let client = RegistryClient(endpoints: ["docker.io": lab.endpoint])
        let tags = try await client.tags(of: RegistryRepository(image: "prom/prometheus"))
        #expect(Set(tags) == Set(Self.tags))
    }

    @Test func namesEachFault() async throws {
        guard let lab = try RegistryLab.start() else { return }
        defer { lab.stop() }
        try lab.push("prom/prometheus", tags: ["v3.14.0"])
        let down = try ReservedPort()
        let client = RegistryClient(endpoints: [
            "docker.io": lab.endpoint, "down.example": URL(string: "http://127.0.0.1:\(down.port)")!,
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
            #expect(registry == "127.0.0.1:\(down.port)")
        }
    }

    @Test func followsLinkPaginationAndReportsRateLimits() async throws {
        let tags = (0..<23).map { "v1.\($0).0" }
        let standIn = try TagListStandIn(pageSize: 5, repositories: ["team/app": tags])
        let client = RegistryClient(endpoints: ["docker.io": standIn.endpoint])
        let listed = try await client.tags(of: RegistryRepository(image: "team/app"))
        #expect(listed == tags.sorted())
        await #expect(throws: RegistryError.rateLimited(registry: "docker.io", retryAfter: "60")) {
            try await client.tags(of: RegistryRepository(image: "ratelimited/app"))
        }
    }

    @Test func upgradeCheckPicksNewerReleasesOfTheSameMajor() async throws {
        guard let lab = try RegistryLab.start() else { return }
        defer { lab.stop() }
        try lab.push("prom/prometheus", tags: Self.tags)
        let check = UpgradeCheck(client: RegistryClient(endpoints: ["docker.io": lab.endpoint]))
        let accepts: @Sendable (String) -> Bool = { tag in
            tag.hasPrefix("v") && tag.dropFirst().split(separator: ".").count == 3
                && tag.dropFirst().allSatisfy { $0.isNumber || $0 == "." }
        }
        let results = await check.run([
            .init(
                service: "prometheus", image: ImageReference("prom/prometheus", tag: "v3.14.0", scheme: .prometheus),
                accepts: accepts),
            .init(
                service: "grafana", image: ImageReference("grafana/grafana", tag: "13.2.0", scheme: .grafana),
                accepts: { _ in true }),
        ])
        #expect(results.map(\.service) == ["prometheus", "grafana"])
        #expect(results[0].newer == ["v3.14.1", "v3.15.0"])
        #expect(results[0].otherMajors == ["v4.0.0"])
        #expect(results[0].releaseNotes == "https://github.com/prometheus/prometheus/releases")
        #expect(results[0].error == nil)
        #expect(results[1].error?.contains("no repository docker.io/grafana/grafana") == true)
    }
}

/// `mediaserver upgrade --check` against the loopback registry, with the catalog's own images and tag schemes.
@Suite(.serialized) struct UpgradeCheckCommandTests {
    static func pinned(_ name: String) throws -> ImageReference {
        try #require(Catalog.services.first { $0.name.rawValue == name }).image
    }

    static func arguments(_ lab: URL, _ extra: [String]) -> [String] {
        ["upgrade", "--check", "--root", IntegrationSupport.repositoryRoot.path, "--env-file", ".env.example"]
            + ["docker.io", "lscr.io", "ghcr.io"].flatMap { ["--registry", "\($0)=\(lab.absoluteString)"] } + extra
    }

    @Test func listsNewerTagsOfTheCatalogImages() async throws {
        guard let lab = try RegistryLab.start() else { return }
        defer { lab.stop() }
        // Prometheus: vX.Y.Z. Around the pinned tag: a patch, a minor, a release candidate, a two-part tag, the next
        // major and `latest`; only the patch and the minor are offered.
        let prometheus = try Self.pinned("prometheus")
        let numbers = try #require(ReleaseVersion(tag: prometheus.tag)).numbers
        let patch = "v\(numbers[0]).\(numbers[1]).\(numbers[2] + 1)"
        let minor = "v\(numbers[0]).\(numbers[1] + 1).0"
        try lab.push(
            "prom/prometheus",
            tags: [
                prometheus.tag, patch, minor, "v\(numbers[0]).\(numbers[1] + 2).0-rc.0",
                "v\(numbers[0]).\(numbers[1] + 3)",
                "v\(numbers[0] + 1).0.0", "latest",
            ])
        // Sonarr: linuxserver's <version>-ls<build>; a rebuild of the same version is newer, a develop build is not.
        let sonarr = try Self.pinned("sonarr")
        let version = try #require(ReleaseVersion(tag: sonarr.tag))
        let upstream = sonarr.tag.components(separatedBy: "-ls")[0]
        let rebuild = "\(upstream)-ls\((version.build ?? 0) + 1)"
        try lab.push(
            "linuxserver/sonarr", tags: [sonarr.tag, rebuild, "develop-\(upstream)-ls\((version.build ?? 0) + 2)"])

        let output = try await IntegrationSupport.mediaserver(
            Self.arguments(lab.endpoint, ["prometheus", "sonarr", "--json"]))
        #expect(output.status == 0, "\(output.standardError)")
        struct Report: Decodable {
            struct Row: Decodable {
                let service: String
                let pinned: String
                let newer: [String]
                let otherMajors: [String]
                let releaseNotes: String?
                let error: String?
            }
            let services: [Row]
            let upgradable: Int
            let failed: Int
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(output.standardOutput.utf8))
        #expect(Set(report.services.map(\.service)) == ["sonarr", "prometheus"])
        let rows = Dictionary(uniqueKeysWithValues: report.services.map { ($0.service, $0) })
        #expect(rows["prometheus"]?.pinned == prometheus.tag)
        #expect(rows["prometheus"]?.newer == [patch, minor])
        #expect(rows["prometheus"]?.otherMajors == ["v\(numbers[0] + 1).0.0"])
        #expect(rows["sonarr"]?.newer == [rebuild])
        #expect(rows["sonarr"]?.releaseNotes == "https://github.com/Sonarr/Sonarr/releases")
        #expect(report.upgradable == 2)
        #expect(report.failed == 0)
        #expect(!output.standardOutput.contains("eyJ"), "no token in the output")

        let table = try await IntegrationSupport.mediaserver(Self.arguments(lab.endpoint, ["prometheus", "--major"]))
        #expect(table.status == 0)
        #expect(table.standardOutput.contains("v\(numbers[0] + 1).0.0"))
    }

    @Test func faultsExitNonZeroWithAClearMessage() async throws {
        guard let lab = try RegistryLab.start() else { return }
        defer { lab.stop() }
        // Nothing pushed: every repository is unknown to the registry (404).
        let missing = try await IntegrationSupport.mediaserver(Self.arguments(lab.endpoint, ["grafana"]))
        #expect(missing.status == 1)
        #expect(
            missing.standardError.contains(
                "grafana (grafana/grafana): registry has no repository docker.io/grafana/grafana"))

        let closed = try ReservedPort()
        let down = try await IntegrationSupport.mediaserver(
            Self.arguments(URL(string: "http://127.0.0.1:\(closed.port)")!, ["grafana"]))
        #expect(down.status == 1)
        #expect(down.standardError.contains("registry 127.0.0.1:\(closed.port) did not answer (connection refused)"))

        let unknown = try await IntegrationSupport.mediaserver(Self.arguments(lab.endpoint, ["sonar"]))
        #expect(unknown.status == 64)
        #expect(unknown.standardError.contains("'sonar' is not a service of the stack"))

        let badRegistry = try await IntegrationSupport.mediaserver(
            ["upgrade", "--check", "--root", IntegrationSupport.repositoryRoot.path, "--registry", "docker.io"])
        #expect(badRegistry.status == 64)
    }
}
