import Foundation
import MediaStack
import MediaStackChecks
import Testing

@testable import MediaStackOperations

@Suite struct ReleaseVersionTests {
    @Test(
        arguments: [
            ("4.0.19.2979-ls316", [4, 0, 19, 2979], 316, ""),
            ("1.43.3.10828-00f62d37d-ls315", [1, 43, 3, 10828], 315, "-00f62d37d"),
            ("3.4.6-r0-ls101", [3, 4, 6], 101, "-r0"),
            ("v2.17.1-ls230", [2, 17, 1], 230, ""),
            ("v3.14.0", [3, 14, 0], nil, ""),
            ("10.11.11", [10, 11, 11], nil, ""),
        ] as [(String, [Int], Int?, String)])
    func readsTheTagShapesOfTheCatalog(tag: String, numbers: [Int], build: Int?, suffix: String) throws {
        let version = try #require(ReleaseVersion(tag: tag))
        #expect(version.numbers == numbers)
        #expect(version.build == build)
        #expect(version.suffix == suffix)
        #expect(!version.isPrerelease)
    }

    @Test(arguments: ["latest", "develop", "nightly-4.0.0.1-ls1", "amd64-4.0.19.2979-ls316", ""])
    func tagsWithoutAVersionAreNotVersions(tag: String) {
        #expect(ReleaseVersion(tag: tag) == nil)
    }

    @Test(arguments: ["v3.0.0-rc.1", "5.0.0Beta1-ls200", "1.2.0-alpha.3", "2.0.0-dev-ls9", "v1.0.0-nightly.20261201"])
    func testBuildsArePrereleases(tag: String) throws {
        #expect(try #require(ReleaseVersion(tag: tag)).isPrerelease)
    }

    @Test func ordersByNumbersThenBuild() throws {
        func version(_ tag: String) throws -> ReleaseVersion { try #require(ReleaseVersion(tag: tag)) }
        #expect(try version("4.0.20.1-ls317").isNewer(than: version("4.0.19.2979-ls316")))
        #expect(try version("4.0.19.2979-ls317").isNewer(than: version("4.0.19.2979-ls316")))
        #expect(try version("3.4.6-r1-ls102").isNewer(than: version("3.4.6-r0-ls101")))
        #expect(try version("10.11.12").isNewer(than: version("10.11.11")))
        #expect(try version("10.12.0").isNewer(than: version("10.11.11")))
        #expect(try !version("10.11.11").isNewer(than: version("10.11.11")))
        #expect(try !version("v1.2.3").isNewer(than: version("1.2.3")))
        #expect(try !version("1.2.3").isNewer(than: version("1.2.10")))
        #expect(try version("1.2.10").isNewer(than: version("1.2.9")))
    }
}

@Suite struct NewerTagsTests {
    /// The `vX.Y.Z` release scheme, as a tag scheme accepts it.
    static func release(_ tag: String) -> Bool {
        guard tag.hasPrefix("v") else { return false }
        let parts = tag.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }

    @Test func keepsNewerReleasesOfTheSameMajorOldestFirst() {
        let newer = NewerTags(
            pinned: "v3.14.0",
            published: [
                "latest", "v3.13.0", "v3.14.0", "v3.15.0-rc.0", "v3.14.1", "v3.15.0", "3.15.0", "v3.15", "v4.0.0",
                "main", "v3.15.0-distroless",
            ],
            accepts: Self.release, allowMajor: false)
        #expect(newer.tags == ["v3.14.1", "v3.15.0"])
        #expect(newer.otherMajors == ["v4.0.0"])
        #expect(newer.newest == "v3.15.0")
    }

    @Test func anotherMajorOnlyWhenAsked() {
        let newer = NewerTags(
            pinned: "v3.14.0", published: ["v3.14.1", "v4.0.0", "v4.1.0"], accepts: Self.release, allowMajor: true)
        #expect(newer.tags == ["v3.14.1", "v4.0.0", "v4.1.0"])
        #expect(newer.otherMajors.isEmpty)
    }

    @Test func nothingNewerIsEmpty() {
        let newer = NewerTags(
            pinned: "v3.14.0", published: ["v3.14.0", "v3.1.0"], accepts: Self.release, allowMajor: false)
        #expect(newer.tags.isEmpty)
        #expect(newer.newest == nil)
    }

    @Test func linuxServerBuildsOfTheSameVersionAreNewer() {
        let newer = NewerTags(
            pinned: "4.0.19.2979-ls316",
            published: [
                "4.0.19.2979-ls315", "4.0.19.2979-ls316", "4.0.19.2979-ls317", "develop-4.1.0.1-ls1", "latest",
            ],
            accepts: { $0.contains("-ls") && $0.first?.isNumber == true }, allowMajor: false)
        #expect(newer.tags == ["4.0.19.2979-ls317"])
    }
}

@Suite struct RegistryProtocolTests {
    @Test func readsABearerChallenge() throws {
        let challenge = try #require(
            BearerChallenge(
                header:
                    #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push""#
            ))
        #expect(challenge.realm == "https://auth.docker.io/token")
        #expect(challenge.service == "registry.docker.io")
        #expect(challenge.scope == "repository:samalba/my-app:pull,push")
    }

    @Test func aBasicChallengeIsNoBearerChallenge() {
        #expect(BearerChallenge(header: #"Basic realm="Registry Realm""#) == nil)
        #expect(BearerChallenge(header: #"Bearer service="x""#) == nil)
    }

    @Test func findsTheNextLink() {
        #expect(
            RegistryClient.nextLink(#"</v2/a/b/tags/list?n=100&last=v1>; rel="next""#)
                == "/v2/a/b/tags/list?n=100&last=v1")
        #expect(
            RegistryClient.nextLink(#"<https://x/prev>; rel="prev", <https://x/next>; rel=next"#) == "https://x/next")
        #expect(RegistryClient.nextLink(#"<https://x/prev>; rel="prev""#) == nil)
    }

    @Test(arguments: [
        ("lscr.io/linuxserver/sonarr", "lscr.io", "linuxserver/sonarr"),
        ("ghcr.io/gethomepage/homepage", "ghcr.io", "gethomepage/homepage"),
        ("jellyfin/jellyfin", "docker.io", "jellyfin/jellyfin"),
        ("nginx", "docker.io", "library/nginx"),
        ("docker.io/library/nginx", "docker.io", "library/nginx"),
        ("localhost/team/app", "localhost", "team/app"),
        ("127.0.0.1:5000/prom/prometheus", "127.0.0.1:5000", "prom/prometheus"),
    ])
    func splitsTheRegistryHostTheWayDockerDoes(image: String, host: String, name: String) {
        let repository = RegistryRepository(image: image)
        #expect(repository.host == host)
        #expect(repository.name == name)
    }

    @Test func dockerHubIsAskedAtRegistry1() {
        #expect(
            RegistryRepository(image: "prom/prometheus").defaultEndpoint?.absoluteString
                == "https://registry-1.docker.io")
        #expect(
            RegistryRepository(image: "lscr.io/linuxserver/plex").defaultEndpoint?.absoluteString == "https://lscr.io")
    }

    @Test func everyCatalogImageHasReleaseNotesButPlex() {
        let missing = Catalog.services.filter { ReleaseNotes.url(for: $0.image.repository) == nil }.map(\.name.rawValue)
        #expect(missing == ["plex"])
    }
}

@Suite struct UpgradeFindingTests {
    static func result(newer: [String], error: String? = nil) -> UpgradeCheck.Result {
        UpgradeCheck.Result(
            service: "sonarr", image: "lscr.io/linuxserver/sonarr", registry: "lscr.io", pinned: "4.0.19.2979-ls316",
            newer: newer, otherMajors: [], releaseNotes: "https://github.com/Sonarr/Sonarr/releases", error: error)
    }

    @Test func newerTagsAreAWarningWithTheReleaseNotes() throws {
        let finding = try #require(Self.result(newer: ["4.0.19.2979-ls317", "4.0.20.1-ls318"]).finding)
        #expect(finding.id == .upgradeAvailable)
        #expect(finding.severity == .warning)
        #expect(finding.message.contains("2 newer release tag(s), the newest 4.0.20.1-ls318"))
        #expect(finding.fix.contains("https://github.com/Sonarr/Sonarr/releases"))
    }

    @Test func aRegistryFaultIsAWarningAndTheNewestTagIsNone() throws {
        #expect(Self.result(newer: []).finding == nil)
        let failed = try #require(Self.result(newer: [], error: "registry lscr.io did not answer (timed out)").finding)
        #expect(failed.id == .upgradeCheckFailed)
        #expect(failed.message == "registry lscr.io did not answer (timed out)")
    }
}

@Suite struct RenderLocationTests {
    let checkout = URL(fileURLWithPath: "/srv/mediaserver")

    @Test func onlyEnvExampleRendersIntoTheCheckout() {
        #expect(RenderLocation.folder(checkout: checkout, settingsPath: ".env.example").path == "/srv/mediaserver")
        #expect(
            RenderLocation.folder(checkout: checkout, settingsPath: "/srv/mediaserver/.env.example").path
                == "/srv/mediaserver")
        #expect(RenderLocation.folder(checkout: checkout, settingsPath: ".env").path == "/srv/mediaserver/deploy")
        #expect(
            RenderLocation.folder(checkout: checkout, settingsPath: "/etc/mediaserver.env").path
                == "/srv/mediaserver/deploy")
    }

    @Test func composeGetsAnAbsoluteSettingsPath() {
        #expect(
            RenderLocation.absoluteSettingsPath(checkout: checkout, settingsPath: ".env") == "/srv/mediaserver/.env")
        #expect(RenderLocation.absoluteSettingsPath(checkout: checkout, settingsPath: "/etc/ms.env") == "/etc/ms.env")
    }
}

@Suite struct PinnedTagShapeTests {
    static func accepts(_ tag: String, service: ServiceName) throws -> Bool {
        try UpgradeCheck.Subject(#require(Catalog.services.first { $0.name == service })).accepts(tag)
    }

    @Test func aPublishedTagCountsWhenItIsAReleaseTagOfThePublishersScheme() throws {
        #expect(try Self.accepts("4.0.20.1-ls318", service: .sonarr))
        #expect(try !Self.accepts("4.0.20.1", service: .sonarr))
        #expect(try !Self.accepts("4.0.20.1-ls", service: .sonarr))
        #expect(try !Self.accepts("develop", service: .sonarr))
        #expect(try Self.accepts("v3.15.0", service: .prometheus))
        #expect(try !Self.accepts("3.15.0", service: .prometheus))
        #expect(try !Self.accepts("v3.15", service: .prometheus))
        #expect(try !Self.accepts("v3.15.0-distroless", service: .prometheus))
        #expect(try !Self.accepts("latest", service: .prometheus))
        #expect(try Self.accepts("10.11.12", service: .jellyfin))
        #expect(try !Self.accepts("v10.11.12", service: .jellyfin))
    }

    @Test func everyCatalogTagIsAReleaseTagOfItsScheme() throws {
        for service in Catalog.services {
            #expect(UpgradeCheck.Subject(service).accepts(service.image.tag), "\(service.name)")
        }
    }
}
