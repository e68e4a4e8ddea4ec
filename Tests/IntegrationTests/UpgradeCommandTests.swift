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
}
