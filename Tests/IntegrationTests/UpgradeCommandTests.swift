import Foundation
import MediaStack
import MediaStackOperations
import Testing

/// `mediaserver upgrade` against the loopback registry (token auth): the plan, and every fault found before
/// anything changes. The run itself (backup, pull, recreate, rollback) is exercised on a real engine by
/// scripts/e2e/upgrade.sh and, with a stand-in engine, by UpgradeRunTests.
@Suite(.serialized) struct UpgradeCommandTests {
    static func arguments(_ checkout: URL, _ registry: URL, _ extra: [String]) -> [String] {
        ["upgrade", "--root", checkout.path]
            + ["docker.io", "lscr.io", "ghcr.io"].flatMap { ["--registry", "\($0)=\(registry.absoluteString)"] } + extra
    }

    static func grafana() throws -> ImageReference {
        try #require(Catalog.services.first { $0.name.rawValue == "grafana" }).image
    }

    @Test func thePlanNamesOldAndNewTagsAndADryRunChangesNothing() async throws {
        guard let lab = try RegistryLab.start() else { return }
        defer { lab.stop() }
        let pinned = try Self.grafana()
        let numbers = try #require(ReleaseVersion(tag: pinned.tag)).numbers
        let patch = "\(numbers[0]).\(numbers[1]).\(numbers[2] + 1)"
        let minor = "\(numbers[0]).\(numbers[1] + 1).0"
        let major = "\(numbers[0] + 1).0.0"
        try lab.push("grafana/grafana", tags: [pinned.tag, patch, minor, major, "latest"])
        let env = try IntegrationSupport.exampleSettings(overriding: ["CONFIG_ROOT": "/srv/config"])
        let checkout = try IntegrationSupport.scratchCheckout(env: env)
        defer { try? FileManager.default.removeItem(at: checkout) }

        let plan = try await IntegrationSupport.mediaserver(
            Self.arguments(checkout, lab.endpoint, ["grafana", "--dry-run", "--json"]))
        #expect(plan.status == 0, "\(plan.standardError)")
        struct Report: Decodable {
            struct Plan: Decodable {
                struct Step: Decodable {
                    let service, from, to, setting: String
                    let configFolder: String?
                }
                let steps: [Step]
            }
            let ok: Bool
            let dryRun: Bool
            let plan: Plan
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(plan.standardOutput.utf8))
        #expect(report.ok && report.dryRun)
        #expect(report.plan.steps.map(\.to) == [minor], "the newest of the same major")
        #expect(report.plan.steps.first?.from == pinned.tag)
        #expect(report.plan.steps.first?.setting == "GRAFANA_IMAGE_TAG")
        #expect(report.plan.steps.first?.configFolder == "/srv/config/grafana")
        #expect(try String(contentsOf: checkout.appendingPathComponent(".env"), encoding: .utf8) == env)
        #expect(!FileManager.default.fileExists(atPath: checkout.appendingPathComponent("deploy").path))

        // --to: another major when named; a tag that is not published, or not a release tag, is refused.
        let toMajor = try await IntegrationSupport.mediaserver(
            Self.arguments(checkout, lab.endpoint, ["grafana", "--to", major, "--dry-run"]))
        #expect(toMajor.status == 0, "\(toMajor.standardError)")
        #expect(toMajor.standardOutput.contains("grafana  \(pinned.tag) → \(major)"))
        let missing = try await IntegrationSupport.mediaserver(
            Self.arguments(checkout, lab.endpoint, ["grafana", "--to", "\(numbers[0]).99.0", "--yes"]))
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("grafana/grafana has no tag \(numbers[0]).99.0 newer than"))
        let latest = try await IntegrationSupport.mediaserver(
            Self.arguments(checkout, lab.endpoint, ["grafana", "--to", "latest", "--yes"]))
        #expect(latest.status == 64)
        #expect(latest.standardError.contains("latest is not a release tag of grafana's image"))
        // Not on a terminal and no --yes: nobody can confirm.
        let unconfirmed = try await IntegrationSupport.mediaserver(
            Self.arguments(checkout, lab.endpoint, ["grafana"]))
        #expect(unconfirmed.status == 64)
        #expect(unconfirmed.standardError.contains("pass --yes"))
        #expect(try String(contentsOf: checkout.appendingPathComponent(".env"), encoding: .utf8) == env)
    }

    @Test func registryFaultsAndUnknownServicesChangeNothing() async throws {
        guard let lab = try RegistryLab.start() else { return }
        defer { lab.stop() }
        let env = try IntegrationSupport.exampleSettings(overriding: ["DISABLED_SERVICES": "plex"])
        let checkout = try IntegrationSupport.scratchCheckout(env: env)
        defer { try? FileManager.default.removeItem(at: checkout) }

        // Nothing pushed: the registry has no such repository (404).
        let notFound = try await IntegrationSupport.mediaserver(
            Self.arguments(checkout, lab.endpoint, ["grafana", "--yes"]))
        #expect(notFound.status == 1)
        #expect(
            notFound.standardError.contains(
                "cannot ask the registry of grafana (grafana/grafana) for its tags: registry has no repository"))
        #expect(notFound.standardError.contains("nothing was changed"))

        let down = try await IntegrationSupport.mediaserver(
            Self.arguments(checkout, URL(string: "http://127.0.0.1:18769")!, ["grafana", "--yes"]))
        #expect(down.status == 1)
        #expect(down.standardError.contains("registry 127.0.0.1:18769 did not answer"))

        let unknown = try await IntegrationSupport.mediaserver(
            Self.arguments(checkout, lab.endpoint, ["grafana", "sonar", "--yes"]))
        #expect(unknown.status == 64)
        #expect(unknown.standardError.contains("'sonar' is not a service of the stack"))
        let disabled = try await IntegrationSupport.mediaserver(
            Self.arguments(checkout, lab.endpoint, ["plex", "--yes"]))
        #expect(disabled.status == 64)
        #expect(disabled.standardError.contains("'plex' is disabled in DISABLED_SERVICES"))

        let usage = try await IntegrationSupport.mediaserver(
            Self.arguments(checkout, lab.endpoint, ["grafana", "prometheus", "--to", "1.0.0"]))
        #expect(usage.status == 64)
        #expect(try String(contentsOf: checkout.appendingPathComponent(".env"), encoding: .utf8) == env)
        #expect(!FileManager.default.fileExists(atPath: checkout.appendingPathComponent("deploy").path))
    }

    /// A registry whose 401 names a token realm that does not answer, and one that rate-limits: through `--check`
    /// and `--dry-run`, one line naming the registry and what to do, exit 1, nothing written.
    @Test func aBadTokenRealmAndARateLimitAreNamedWithTheFixAndChangeNothing() async throws {
        let down = try ReservedPort()
        let realm = "http://127.0.0.1:\(down.port)/token"
        let badRealm = try RegistryAuthStandIn("bad-realm", realm)
        let limited = try RegistryAuthStandIn("rate-limited", "60")
        let env = try IntegrationSupport.exampleSettings(overriding: [:])
        let checkout = try IntegrationSupport.scratchCheckout(env: env)
        defer { try? FileManager.default.removeItem(at: checkout) }
        let cases: [(service: String, registry: String, standIn: RegistryAuthStandIn, says: [String])] = [
            (
                "sonarr", "lscr.io", badRealm,
                [
                    "registry 127.0.0.1:\(badRealm.port) answered 401 and named \(realm) as its token service, but it"
                        + " did not answer (connection refused)",
                    "if 127.0.0.1:\(badRealm.port) is a mirror given with --registry, its token realm is set up wrong",
                ]
            ),
            (
                "grafana", "docker.io", limited,
                [
                    "registry docker.io is rate-limiting this address (HTTP 429 TOOMANYREQUESTS); run it again after"
                        + " 60 s (Retry-After), or ask a mirror: --registry docker.io=https://mirror.gcr.io"
                ]
            ),
        ]
        for (service, registry, standIn, says) in cases {
            for mode in ["--check", "--dry-run"] {
                let result = try await IntegrationSupport.mediaserver(
                    [
                        "upgrade", "--root", checkout.path, service, mode, "--registry",
                        "\(registry)=\(standIn.endpoint)",
                    ])
                #expect(result.status == 1, "\(service) \(mode): \(result.standardError)")
                for line in says {
                    #expect(result.standardError.contains(line), "\(service) \(mode): \(result.standardError)")
                }
                let errors = result.standardError.split(separator: "\n").filter { $0.hasPrefix("error: ") }
                #expect(errors.count == 1, "one line: \(result.standardError)")
                if mode == "--dry-run" { #expect(result.standardError.contains("nothing was changed")) }
                #expect(!result.standardError.contains("Bearer") && !result.standardOutput.contains("Bearer"))
            }
        }
        #expect(try String(contentsOf: checkout.appendingPathComponent(".env"), encoding: .utf8) == env)
        #expect(!FileManager.default.fileExists(atPath: checkout.appendingPathComponent("deploy").path))
    }

    /// lscr.io's path for a Docker client: a redirect to the backend registry, whose own realm gives the token.
    /// The plan comes out, and the token appears nowhere in what the command prints.
    @Test func aRedirectingRegistryIsFollowedAndItsTokenNeverPrinted() async throws {
        let sonarr = try #require(Catalog.services.first { $0.name.rawValue == "sonarr" }).image
        let build = try #require(sonarr.tag.range(of: "-ls", options: .backwards))
        let newer = sonarr.tag[..<build.lowerBound] + "-ls" + String((Int(sonarr.tag[build.upperBound...]) ?? 0) + 1)
        let backend = try RegistryAuthStandIn(
            "registry", repositories: ["linuxserver/sonarr": [sonarr.tag, newer, "latest", "develop"]])
        let front = try RegistryAuthStandIn("redirect", backend.endpoint.absoluteString)
        let env = try IntegrationSupport.exampleSettings(overriding: [:])
        let checkout = try IntegrationSupport.scratchCheckout(env: env)
        defer { try? FileManager.default.removeItem(at: checkout) }

        for mode in [["--check", "--json"], ["--dry-run", "--json"]] {
            let result = try await IntegrationSupport.mediaserver(
                ["upgrade", "--root", checkout.path, "sonarr", "--registry", "lscr.io=\(front.endpoint)"] + mode)
            #expect(result.status == 0, "\(mode): \(result.standardError)")
            #expect(result.standardOutput.contains("\"\(newer)\""), "\(result.standardOutput)")
            let tokens = try await backend.requests().compactMap(\.authorization).map { $0.dropFirst("Bearer ".count) }
            #expect(!tokens.isEmpty)
            for token in tokens {
                #expect(!result.standardOutput.contains(token) && !result.standardError.contains(token))
            }
            #expect(try await front.requests().allSatisfy { $0.authorization == nil })
        }
        #expect(try String(contentsOf: checkout.appendingPathComponent(".env"), encoding: .utf8) == env)
    }
}
