import Foundation
import MediaStackOperations
import Testing

/// `up --json` answers with one JSON report on stdout whatever stops it; everything else goes to stderr.
@Suite("up --json")
struct UpCommandTests {
    /// A folder holding a `docker` that answers `docker info` and `docker compose version` as an engine with the
    /// Compose v2 plugin does, and refuses everything else: enough for `up` to get past its Docker checks without
    /// starting anything.
    static func dockerThatStartsNothing() throws -> URL {
        let folder = try IntegrationSupport.scratchCheckout()
        let script = folder.appendingPathComponent("docker")
        try """
        #!/bin/sh
        case "$1 $2" in
          "info "*) echo 27.0.0 ;;
          "compose version") echo "Docker Compose version v2.29.1" ;;
          *) echo "this docker starts nothing" >&2; exit 1 ;;
        esac
        """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return folder
    }

    @Test func aSettingsErrorIsReportedInJSONOnStdout() async throws {
        let docker = try Self.dockerThatStartsNothing()
        let env = try IntegrationSupport.exampleSettings(overriding: ["LAN_IP": "not-an-address"])
        let root = try IntegrationSupport.scratchCheckout(env: env)
        let output = try await IntegrationSupport.mediaserver(
            ["up", "--json", "--no-wire", "--root", root.path],
            environment: ["PATH": docker.path + ":" + (IntegrationSupport.cleanEnvironment["PATH"] ?? "")])
        #expect(output.status == 2, "\(output.standardError)")
        let report = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        #expect(report?["ok"] as? Bool == false, "\(output.standardOutput)")
        #expect((report?["error"] as? String)?.contains("LAN_IP") == true, "\(output.standardOutput)")
        #expect(output.standardError.contains("error: [invalid-setting] .env:"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("deploy").path))
    }
}
