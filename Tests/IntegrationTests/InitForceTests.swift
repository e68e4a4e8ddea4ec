import Foundation
import MediaStack
import MediaStackOperations
import TestKit
import Testing

/// `init --force` keeps what the user has; interactive `init` checks each answer; `init` refuses what render would.
@Suite("init keeps, checks and refuses")
struct InitForceTests {
    static func env(_ root: URL) throws -> String {
        try String(contentsOf: root.appendingPathComponent(".env"), encoding: .utf8)
    }

    static func copies(_ root: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix(".env.before-init-") }
            .map { root.appendingPathComponent($0) }
    }

    @Test func forceKeepsEverySettingAFlagDoesNotChangeAndSaysWhatChanged() async throws {
        let root = try IntegrationSupport.scratchCheckout()
        let first = try await IntegrationSupport.mediaserver([
            "init", "--root", root.path, "--yes", "--lan-ip", "192.168.1.10", "--config-root", "/srv/config",
            "--data-root", "/tank/data", "--backup-root", "/backup/borg", "--disable", "jellyseerr",
        ])
        #expect(first.status == 0, "\(first.standardError)")
        // The user's own edits: a port, and a variable of their own.
        var text = try Self.env(root).replacingOccurrences(of: "SONARR_PORT=8989", with: "SONARR_PORT=18989")
        text += "MY_OWN_VARIABLE='kept $as is'\n"
        // A tag `mediaserver upgrade` stored: losing it would put an older image on a migrated database.
        text += "JELLYFIN_IMAGE_TAG=10.11.99\n"
        // A secret with a literal `$` (single quotes) must come back as the same value, not be interpolated.
        text = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("GRAFANA_ADMIN_PASSWORD=") ? "GRAFANA_ADMIN_PASSWORD='pa$s word\\x'" : String(line)
        }.joined(separator: "\n")
        try text.write(to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let before = try EnvFile.parse(text, path: ".env")

        let forced = try await IntegrationSupport.mediaserver([
            "init", "--root", root.path, "--yes", "--force", "--data-root", "/tank/media",
        ])
        #expect(forced.status == 0, "\(forced.standardError)")
        let after = try EnvFile.parse(try Self.env(root), path: ".env")
        #expect(before["GRAFANA_ADMIN_PASSWORD"] == "pa$s word\\x")
        for key in [
            "LAN_IP", "CONFIG_ROOT", "BACKUP_ROOT", "DISABLED_SERVICES", "SONARR_PORT", "BORG_PASSPHRASE",
            "GRAFANA_ADMIN_PASSWORD", "JELLYFIN_IMAGE_TAG",
        ] {
            #expect(after[key] == before[key], "\(key) was not kept")
        }
        #expect(after["MY_OWN_VARIABLE"] == "kept $as is")
        #expect(after["DATA_ROOT"] == "/tank/media")
        #expect(forced.standardError.contains("DATA_ROOT: /tank/data → /tank/media"), "\(forced.standardError)")
        #expect(!forced.standardError.contains("LAN_IP:"), "an unchanged setting was listed as changed")
        #expect(!forced.standardError.contains("JELLYFIN_IMAGE_TAG:"), "a kept tag was listed as changed")

        // The previous file is kept, private and byte for byte.
        let copy = try #require(try Self.copies(root).first)
        #expect(try String(contentsOf: copy, encoding: .utf8) == text)
        let mode = try FileManager.default.attributesOfItem(atPath: copy.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(forced.standardError.contains(copy.lastPathComponent))
        if let passphrase = after["BORG_PASSPHRASE"] {
            #expect(!forced.standardError.contains(passphrase) && !forced.standardOutput.contains(passphrase))
        }
    }

    @Test func rotatingRefusesToReplaceTheBorgPassphraseOfAnExistingRepository() async throws {
        guard let borg = IntegrationSupport.tool("borg") else { return }
        let root = try IntegrationSupport.scratchCheckout()
        let repository = root.appendingPathComponent("repo")
        let created = try await IntegrationSupport.mediaserver([
            "init", "--root", root.path, "--yes", "--backup-root", repository.path,
        ])
        #expect(created.status == 0)
        let passphrase = try #require(try EnvFile.parse(try Self.env(root), path: ".env")["BORG_PASSPHRASE"])
        var environment = IntegrationSupport.cleanEnvironment
        environment["BORG_PASSPHRASE"] = passphrase
        let made = try await SubprocessRunner().run(
            borg, ["init", "--encryption", "repokey-blake2", repository.path], environment: environment,
            workingDirectory: nil, timeout: TestTime.process)
        #expect(made.succeeded, "\(made.standardError)")
        let before = try Self.env(root)

        let rotated = try await IntegrationSupport.mediaserver([
            "init", "--root", root.path, "--yes", "--force", "--rotate-secrets",
        ])
        #expect(rotated.status == 1)
        #expect(rotated.standardError.contains("borg key change-passphrase"), "\(rotated.standardError)")
        #expect(rotated.standardError.contains("nothing was written"))
        #expect(try Self.env(root) == before)
        #expect(try Self.copies(root).isEmpty)
        #expect(!rotated.standardError.contains(passphrase))
    }

    @Test func disablingAServiceOthersNeedIsRefusedWithRendersMessage() async throws {
        let root = try IntegrationSupport.scratchCheckout()
        let output = try await IntegrationSupport.mediaserver([
            "init", "--root", root.path, "--yes", "--disable", "plex",
        ])
        #expect(output.status == 2)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(".env").path))
        // The very words render prints for the same settings.
        let env = try IntegrationSupport.exampleSettings(overriding: ["DISABLED_SERVICES": "plex"])
        let other = try IntegrationSupport.scratchCheckout(env: env)
        let render = try await IntegrationSupport.mediaserver(["render", "--root", other.path])
        #expect(render.status == 2)
        let renderErrors = render.standardError.split(separator: "\n").filter { $0.contains("needs plex") }
        #expect(!renderErrors.isEmpty, "\(render.standardError)")
        for line in renderErrors { #expect(output.standardError.contains(line), "init did not say: \(line)") }
    }

    @Test func interactiveAnswersAreCheckedAsTypedAndAskedAgain() async throws {
        guard let script = IntegrationSupport.tool("script") else { return }
        let root = try IntegrationSupport.scratchCheckout()
        let answers = ["0.0.0.0", "192.168.1.20", "relative/config", "/srv/config", "/tank/data", "", ""]
        let input = root.appendingPathComponent("answers")
        try (answers.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        // `script` gives the command a terminal, so init asks; the answers are typed into that terminal.
        let command = "'\(try IntegrationSupport.executable())' init --root '\(root.path)'"
        let output = try await IntegrationSupport.run(
            "/bin/sh", ["-c", "'\(script)' -q -e -c \"\(command)\" /dev/null < '\(input.path)'"])
        #expect(output.status == 0, "\(output.standardOutput)\(output.standardError)")
        let transcript = output.standardOutput
        #expect(transcript.contains("every interface"), "\(transcript)")
        #expect(transcript.contains("relative path"))
        #expect(transcript.components(separatedBy: "LAN_IP [").count == 3, "LAN_IP was not asked again")
        let settings = try Settings.parse(try Self.env(root), path: ".env")
        #expect(settings["LAN_IP"] == "192.168.1.20" && settings["CONFIG_ROOT"] == "/srv/config")
        #expect(settings["DATA_ROOT"] == "/tank/data")
    }
}
