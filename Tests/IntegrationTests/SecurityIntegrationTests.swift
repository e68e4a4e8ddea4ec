import Foundation
import MediaStack
import MediaStackOperations
import Testing

/// compose-lint over both rendered stacks, the secret scan over everything `mediaserver` writes and prints, and
/// the host checks of `.env` with the real git.
@Suite("Security of the rendered stack")
struct SecurityIntegrationTests {
    struct LintFinding: Decodable {
        let rule_id: String
        let severity: String
        let service: String?
        let suppressed: Bool?
    }

    struct LintReport: Decodable {
        let findings: [LintFinding]
    }

    /// compose-lint reads `.compose-lint.yml` from the current directory and `.env` beside the files.
    func lint(in directory: URL) async throws -> (ProcessOutput, LintReport)? {
        guard let lint = IntegrationSupport.tool("compose-lint") else { return nil }
        let output = try await IntegrationSupport.run(
            lint, ["--format", "json", "compose.yml", "homepage-stack.yml"], in: directory)
        let report = try JSONDecoder().decode(LintReport.self, from: Data(output.standardOutput.utf8))
        return (output, report)
    }

    func unexplained(_ report: LintReport) -> [String] {
        report.findings.filter { ["high", "critical"].contains($0.severity) && $0.suppressed != true }.map {
            "\($0.rule_id) \($0.severity) \($0.service ?? "-")"
        }
    }

    @Test func composeLintLeavesNoHighOrCriticalFindingUnexplained() async throws {
        guard let (output, report) = try await lint(in: IntegrationSupport.repositoryRoot) else { return }
        #expect(output.status == 0, "\(output.standardError)")
        #expect(unexplained(report).isEmpty, "\(unexplained(report))")
        // The suppressions are real: the socket and host-network findings exist and are explained.
        #expect(
            report.findings.contains { $0.rule_id == "CL-0001" && $0.service == "watchtower" && $0.suppressed == true })
        #expect(report.findings.contains { $0.rule_id == "CL-0008" && $0.service == "plex" && $0.suppressed == true })
        // Homepage and Dozzle no longer hold the socket.
        #expect(!report.findings.contains { $0.rule_id == "CL-0001" && ["homepage", "dozzle"].contains($0.service) })
    }

    @Test func composeLintWithEveryMountResolved() async throws {
        // Without a .env compose-lint cannot resolve ${CONFIG_ROOT} mounts and skips their rules: lint a copy
        // whose .env is .env.example, so every mount is judged.
        let root = try IntegrationSupport.copyOfCommittedFiles()
        try FileManager.default.copyItem(
            at: root.appendingPathComponent(".env.example"), to: root.appendingPathComponent(".env"))
        guard let (output, report) = try await lint(in: root) else { return }
        #expect(output.status == 0, "\(output.standardError)")
        #expect(!output.standardError.contains("nothing supplies a value"), "\(output.standardError)")
        #expect(unexplained(report).isEmpty, "\(unexplained(report))")
    }

    @Test func composeLintFailsWithoutTheExplanations() async throws {
        let root = try IntegrationSupport.copyOfCommittedFiles()
        try FileManager.default.removeItem(at: root.appendingPathComponent(".compose-lint.yml"))
        guard let (output, report) = try await lint(in: root) else { return }
        #expect(output.status == 1)
        #expect(unexplained(report).contains("CL-0001 critical watchtower"), "the socket mount must be explained")
    }

    @Test func noSecretValueAppearsInAnyRenderedFileOrOutput() async throws {
        let secrets = SettingsCatalog.definitions().filter(\.isSecret).map(\.key)
        var overrides: [String: String] = [:]
        for key in secrets { overrides[key] = "s3cr3t-\(key.lowercased())-\(UUID().uuidString.prefix(8))" }
        overrides["LAN_IP"] = "192.168.1.10"
        let root = try IntegrationSupport.scratchCheckout(
            env: try IntegrationSupport.exampleSettings(overriding: overrides))
        var outputs: [ProcessOutput] = []
        for arguments in [
            ["render", "--root", root.path], ["render", "--check", "--root", root.path, "--json"],
            ["check", "--root", root.path], ["check", "--root", root.path, "--json"],
            ["check", "--root", root.path, "--no-compose"], ["services", "--root", root.path],
        ] {
            outputs.append(try await IntegrationSupport.mediaserver(arguments))
        }
        #expect(outputs[0].status == 0, "\(outputs[0].standardError)")
        var files: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue && path != ".env" && path != "deploy/.env" { files.append(path) }
        }
        // The render of a user's .env is in deploy/ (deploy/.env is a link to .env).
        #expect(
            files.contains("deploy/compose.yml") && files.contains("deploy/security/fail2ban/jail.d/mediaserver.local"))
        for (key, value) in overrides where secrets.contains(key) {
            for path in files {
                let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
                #expect(!text.contains(value), "\(key)'s value appears in \(path)")
            }
            for output in outputs {
                #expect(
                    !(output.standardOutput + output.standardError).contains(value),
                    "\(key)'s value appears in the output of \(output.arguments.dropFirst().joined(separator: " "))")
            }
        }
        // The secrets reach the containers only as ${VAR}.
        let compose = try String(contentsOf: root.appendingPathComponent("deploy/compose.yml"), encoding: .utf8)
        #expect(compose.contains("BORG_PASSPHRASE: ${BORG_PASSPHRASE}"))
    }

    @Test func aTrackedOrWorldReadableEnvIsReported() async throws {
        guard let git = IntegrationSupport.tool("git") else { return }
        let root = try IntegrationSupport.copyOfCommittedFiles()
        try IntegrationSupport.exampleSettings(overriding: [:]).write(
            to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o644], ofItemAtPath: root.appendingPathComponent(".env").path)
        for arguments in [["init", "-q"], ["add", ".env"]] {
            let output = try await IntegrationSupport.run(git, arguments, in: root)
            #expect(output.status == 0, "\(output.standardError)")
        }
        let check = try await IntegrationSupport.mediaserver(["check", "--root", root.path, "--json", "--no-compose"])
        #expect(check.status == 2)
        let report = try JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Any]
        let ids = Set((report?["findings"] as? [[String: String]] ?? []).map { $0["id"] ?? "" })
        #expect(ids.isSuperset(of: ["env-tracked-by-git", "env-readable-by-others", "placeholder-secret"]), "\(ids)")

        // Fixed: untracked, mode 600, real secrets.
        _ = try await IntegrationSupport.run(git, ["rm", "-q", "--cached", ".env"], in: root)
        let secrets = SettingsCatalog.definitions().filter(\.isSecret).map(\.key)
        let settings = try IntegrationSupport.exampleSettings(
            overriding: Dictionary(uniqueKeysWithValues: secrets.map { ($0, "v-\($0.lowercased())") }))
        try settings.write(to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o600], ofItemAtPath: root.appendingPathComponent(".env").path)
        let clean = try await IntegrationSupport.mediaserver(["check", "--root", root.path, "--json", "--no-compose"])
        let cleanReport = try JSONSerialization.jsonObject(with: Data(clean.standardOutput.utf8)) as? [String: Any]
        let cleanIDs = Set((cleanReport?["findings"] as? [[String: String]] ?? []).map { $0["id"] ?? "" })
        #expect(cleanIDs.isDisjoint(with: ["env-tracked-by-git", "env-readable-by-others", "placeholder-secret"]))
    }

    @Test func aHandEditedPortOnEveryInterfaceIsAnError() async throws {
        let root = try IntegrationSupport.copyOfCommittedFiles()
        let path = root.appendingPathComponent("compose.yml")
        let edited = try String(contentsOf: path, encoding: .utf8).replacingOccurrences(
            of: "- ${LAN_IP:-127.0.0.1}:8989:8989", with: "- 8989:8989")
        try edited.write(to: path, atomically: true, encoding: .utf8)
        let check = try await IntegrationSupport.mediaserver(["check", "--root", root.path, "--json", "--no-compose"])
        #expect(check.status == 2)
        let report = try JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Any]
        let findings = report?["findings"] as? [[String: String]] ?? []
        #expect(findings.contains { $0["id"] == "port-on-every-interface" && $0["subject"] == "compose.yml: sonarr" })
    }
}
