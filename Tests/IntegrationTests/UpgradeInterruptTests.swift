import Foundation
import MediaStack
import MediaStackOperations
import Testing

/// `mediaserver upgrade` stopped by SIGINT, SIGTERM or SIGHUP while the new image starts: the real command, a real signal,
/// real files; the engine is a `docker` script that plays one service whose new image migrates its config folder
/// and never gets healthy, while its previous image is healthy at once. (scripts/e2e/upgrade.sh does the same on a
/// real engine.)
@Suite(.serialized) struct UpgradeInterruptTests {
    /// The `docker` script: answers `info`, `pull` and the Compose commands the upgrade runs (`version`, `exec` for
    /// the backup job, `stop`, `up -d --no-deps`, `ps --all --format json`) for `FAKE_SERVICE`, keeping its state in
    /// `FAKE_STATE`: the tag `up` started (read from the rendered compose file, as Compose would) or `stopped`.
    static let docker = """
        #!/bin/sh
        state="$FAKE_STATE"
        case "$1" in
          info) echo 27.3.1; exit 0 ;;
          pull) echo "pull $2" >>"$state/log"; exit 0 ;;
          compose) shift ;;
          *) echo "fake docker: $*" >&2; exit 1 ;;
        esac
        while [ $# -gt 0 ]; do
          case "$1" in
            -p|-f|--env-file|--project-directory) shift 2 ;;
            *) break ;;
          esac
        done
        echo "compose $*" >>"$state/log"
        for last; do :; done
        case "$1" in
          version) echo "Docker Compose version v2.29.1" ;;
          exec) ;;
          stop) echo stopped >"$state/service" ;;
          up)
            tag=$(sed -n "s|^ *image: $FAKE_IMAGE:||p" compose.yml | head -n 1)
            echo "$tag" >"$state/service"
            [ "$tag" = "$FAKE_HEALTHY_TAG" ] || echo "migrated to $tag" >"$FAKE_CONFIG/app.db" ;;
          ps)
            current=$(cat "$state/service" 2>/dev/null || echo stopped)
            if [ "$current" = stopped ]; then
              printf '{"Service":"%s","Name":"%s","State":"exited","Health":""}\\n' "$FAKE_SERVICE" "$FAKE_SERVICE"
            elif [ "$current" = "$FAKE_HEALTHY_TAG" ]; then
              printf '{"Service":"%s","Name":"%s","State":"running","Health":"healthy"}\\n' "$FAKE_SERVICE" "$FAKE_SERVICE"
            else
              printf '{"Service":"%s","Name":"%s","State":"running","Health":"starting"}\\n' "$FAKE_SERVICE" "$FAKE_SERVICE"
            fi ;;
          *) echo "fake docker: compose $*" >&2; exit 1 ;;
        esac
        """

    /// Every entry under `folder`: kind, mode, modification time, and contents or link target.
    static func tree(_ folder: URL) throws -> [String: String] {
        var entries: [String: String] = [:]
        for relative in FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? [] {
            let path = folder.path + "/" + relative
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let stamp = "\(attributes[.posixPermissions] ?? "") \(attributes[.modificationDate] ?? "")"
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                entries[relative] = "link \(target)"
            } else if attributes[.type] as? FileAttributeType == .typeDirectory {
                entries[relative] = "folder \(stamp)"
            } else {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                entries[relative] = "file \(stamp) " + data.base64EncodedString()
            }
        }
        return entries
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func aSignalDuringTheHealthWaitPutsTheServiceBackAndExitsWithIt(signal: Int32) async throws {
        let sonarr = try #require(Catalog.services.first { $0.name.rawValue == "sonarr" }).image
        let build = try #require(sonarr.tag.range(of: "-ls", options: .backwards))
        let newer = sonarr.tag[..<build.lowerBound] + "-ls" + String((Int(sonarr.tag[build.upperBound...]) ?? 0) + 1)
        let registry = try RegistryAuthStandIn("registry", repositories: ["linuxserver/sonarr": [sonarr.tag, newer]])

        let scratch = try IntegrationSupport.scratchCheckout()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = scratch.appendingPathComponent("config")
        let folder = config.appendingPathComponent("sonarr")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        try Data("schema 1\n".utf8).write(to: folder.appendingPathComponent("app.db"))
        try Data("keep\n".utf8).write(to: folder.appendingPathComponent("data/notes.txt"))
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o600], ofItemAtPath: folder.appendingPathComponent("data/notes.txt").path)
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/current", withDestinationPath: "app.db")
        let checkout = scratch.appendingPathComponent("checkout")
        let env = try IntegrationSupport.exampleSettings(overriding: ["CONFIG_ROOT": config.path])
        try FileManager.default.createDirectory(at: checkout, withIntermediateDirectories: true)
        try env.write(to: checkout.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let bin = scratch.appendingPathComponent("bin")
        let state = scratch.appendingPathComponent("state")
        for made in [bin, state] {
            try FileManager.default.createDirectory(at: made, withIntermediateDirectories: true)
        }
        try Self.docker.write(to: bin.appendingPathComponent("docker"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: bin.appendingPathComponent("docker").path)
        try Data("\(sonarr.tag)\n".utf8).write(to: state.appendingPathComponent("service"))
        let before = try Self.tree(folder)
        let envBefore = try Data(contentsOf: checkout.appendingPathComponent(".env"))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try IntegrationSupport.executable())
        process.arguments = [
            "upgrade", "--root", checkout.path, "sonarr", "--yes", "--json", "--health-timeout", "120",
            "--registry", "lscr.io=\(registry.endpoint.absoluteString)",
        ]
        process.environment = IntegrationSupport.cleanEnvironment.merging([
            "PATH": bin.path + ":" + (IntegrationSupport.cleanEnvironment["PATH"] ?? ""),
            "FAKE_STATE": state.path, "FAKE_SERVICE": "sonarr", "FAKE_IMAGE": sonarr.repository,
            "FAKE_HEALTHY_TAG": sonarr.tag, "FAKE_CONFIG": folder.path,
        ]) { $1 }
        let stdout = scratch.appendingPathComponent("stdout")
        let stderr = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stdout.path, contents: nil)
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // The new image is up (it has migrated the folder) and the command waits for its health.
        let started = ContinuousClock.now
        func current() -> String {
            (try? String(contentsOf: state.appendingPathComponent("service"), encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }
        while current() != newer, process.isRunning, ContinuousClock.now - started < .seconds(120) {
            try await Task.sleep(for: .milliseconds(100))
        }
        let log = { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
        try #require(current() == newer, "the new image never started: \(log())")
        #expect(
            try String(contentsOf: folder.appendingPathComponent("app.db"), encoding: .utf8) == "migrated to \(newer)\n"
        )
        try await Task.sleep(for: .milliseconds(500))
        kill(process.processIdentifier, signal)
        let signalled = ContinuousClock.now
        while process.isRunning, ContinuousClock.now - signalled < .seconds(120) {
            try await Task.sleep(for: .milliseconds(100))
        }
        try #require(!process.isRunning, "still running 120 s after the signal: \(log())")

        #expect(process.terminationStatus == 128 + signal, "\(log())")
        struct Report: Decodable {
            struct Step: Decodable {
                let outcome, running: String
                let reason: String?
                let healthyAgain: Bool?
            }
            let ok: Bool
            let interrupted: Int32?
            let steps: [Step]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: stdout))
        let name = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"][signal] ?? ""
        #expect(!report.ok && report.interrupted == signal)
        #expect(report.steps.first?.outcome == "rolled-back" && report.steps.first?.running == sonarr.tag)
        #expect(report.steps.first?.reason?.hasPrefix("\(name) while starting \(newer)") == true)
        #expect(report.steps.first?.healthyAgain == true)
        #expect(log().contains("\(name): stopping; a service being upgraded is put back as it was"))
        // Put back: the folder entry for entry (modes, times, bytes), the settings byte for byte, the previous image.
        #expect(try Self.tree(folder) == before)
        #expect(try Data(contentsOf: checkout.appendingPathComponent(".env")) == envBefore)
        #expect(current() == sonarr.tag)
        #expect(
            try String(contentsOf: checkout.appendingPathComponent("deploy/compose.yml"), encoding: .utf8).contains(
                "image: \(sonarr.repository):\(sonarr.tag)\n"))
        #expect(!FileManager.default.fileExists(atPath: config.appendingPathComponent(".pre-upgrade").path))
        let calls = try String(contentsOf: state.appendingPathComponent("log"), encoding: .utf8)
        #expect(calls.components(separatedBy: "compose up -d --no-deps sonarr").count == 3, "\(calls)")
    }
}
