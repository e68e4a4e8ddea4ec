import Foundation
import MediaStack
import MediaStackChecks
import MediaStackOperations
import TestKit
import Testing

@Suite("init and doctor")
struct InitDoctorTests {
    func secrets(_ text: String) throws -> [String: String] {
        let file = try EnvFile.parse(text, path: ".env")
        var values: [String: String] = [:]
        for definition in SettingsCatalog.definitions() where definition.isSecret {
            values[definition.key] = file[definition.key]
        }
        return values
    }

    @Test func initWritesAPrivateEnvWithGeneratedSecrets() async throws {
        let root = try IntegrationSupport.scratchCheckout()
        let output = try await IntegrationSupport.mediaserver([
            "init", "--root", root.path, "--yes", "--lan-ip", "192.168.1.10", "--puid", "1234", "--pgid", "1235",
            "--tz", "Europe/Berlin", "--data-root", "/tank/data",
        ])
        #expect(output.status == 0, "\(output.standardError)")
        let path = root.appendingPathComponent(".env").path
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let settings = try Settings.parse(text, path: ".env")
        #expect(settings["LAN_IP"] == "192.168.1.10" && settings["PUID"] == "1234" && settings["PGID"] == "1235")
        #expect(settings["TZ"] == "Europe/Berlin" && settings["DATA_ROOT"] == "/tank/data")
        let values = try secrets(text)
        // Every key an app takes before its first start, each its own.
        let apiKeys = [
            "SONARR_API_KEY", "RADARR_API_KEY", "PROWLARR_API_KEY", "SABNZBD_API_KEY", "SABNZBD_NZB_KEY",
            "BAZARR_API_KEY", "TAUTULLI_API_KEY", "JELLYSEERR_API_KEY", "OVERSEERR_API_KEY",
        ]
        for key in apiKeys {
            let key = try #require(values[key])
            #expect(key.count == 32 && key.allSatisfy(\.isHexDigit))
        }
        #expect((values["BORG_PASSPHRASE"]?.count ?? 0) >= 40)
        #expect(Set(apiKeys.map { values[$0] }).count == apiKeys.count)
        // What only the apps can make is left empty, for `mediaserver wire` or the user.
        #expect(values["JELLYFIN_API_KEY"] == "" && values["PLEX_TOKEN"] == "")
        for value in values.values where !value.isEmpty && value != "CHANGE_ME" {
            #expect(
                !output.standardOutput.contains(value) && !output.standardError.contains(value), "a secret was printed")
        }
    }

    @Test func aFreshInstallHasNoPlaceholderSecret() async throws {
        let root = try IntegrationSupport.copyOfCommittedFiles()
        let initialize = try await IntegrationSupport.mediaserver(["init", "--root", root.path, "--yes"])
        #expect(initialize.status == 0, "\(initialize.standardError)")
        let check = try await IntegrationSupport.mediaserver(["check", "--root", root.path, "--json", "--no-compose"])
        let report = try JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Any]
        let findings = report?["findings"] as? [[String: String]]
        #expect(findings != nil, "\(check.standardError)")
        let placeholders = (findings ?? []).filter { $0["id"] == "placeholder-secret" }.map { $0["subject"] ?? "" }
        #expect(placeholders.isEmpty, "\(placeholders)")
    }

    @Test func initNeverReplacesAnEnvWithoutForceAndKeepsSecretsWithIt() async throws {
        let root = try IntegrationSupport.scratchCheckout()
        _ = try await IntegrationSupport.mediaserver(["init", "--root", root.path, "--yes"])
        let path = root.appendingPathComponent(".env")
        let first = try String(contentsOf: path, encoding: .utf8)
        let again = try await IntegrationSupport.mediaserver([
            "init", "--root", root.path, "--yes", "--lan-ip", "10.0.0.2",
        ])
        #expect(again.status == 1)
        #expect(again.standardError.contains("already exists"))
        #expect(try String(contentsOf: path, encoding: .utf8) == first)
        let forced = try await IntegrationSupport.mediaserver([
            "init", "--root", root.path, "--yes", "--force", "--lan-ip", "10.0.0.2",
        ])
        #expect(forced.status == 0)
        let second = try String(contentsOf: path, encoding: .utf8)
        #expect(try secrets(second) == secrets(first), "--force must keep the secrets (the Borg passphrase above all)")
        #expect(try Settings.parse(second, path: ".env")["LAN_IP"] == "10.0.0.2")
        let rotated = try await IntegrationSupport.mediaserver([
            "init", "--root", root.path, "--yes", "--force", "--rotate-secrets",
        ])
        #expect(rotated.status == 0)
        #expect(
            try secrets(String(contentsOf: path, encoding: .utf8))["BORG_PASSPHRASE"]
                != secrets(first)["BORG_PASSPHRASE"])
    }

    @Test func initRefusesABadFlagAndWritesNothing() async throws {
        let root = try IntegrationSupport.scratchCheckout()
        let output = try await IntegrationSupport.mediaserver([
            "init", "--root", root.path, "--yes", "--data-root", "tank/data",
        ])
        #expect(output.status == 2)
        #expect(output.standardError.contains("DATA_ROOT=tank/data is a relative path"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(".env").path))
    }

    @Test func doctorProvesHardlinksAndFindsAWrongOwnerAndABusyPort() async throws {
        let root = try IntegrationSupport.scratchCheckout()
        let data = root.appendingPathComponent("data")
        for sub in ["usenet", "media"] {
            try FileManager.default.createDirectory(
                at: data.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let server = try StandInServer()
        defer { server.stop() }
        let env = try IntegrationSupport.exampleSettings(overriding: [
            "DATA_ROOT": data.path, "CONFIG_ROOT": root.appendingPathComponent("config").path,
            "BACKUP_ROOT": root.appendingPathComponent("backup").path, "SONARR_PORT": String(server.port),
            "PUID": "4321",
        ])
        let stack = Stack(settings: try Settings.parse(env, path: ".env"))
        let findings = await Doctor(stack: stack).run()
        #expect(!findings.contains { $0.id == .noHardlinks }, "one filesystem: the hard link must work")
        #expect(
            findings.contains { $0.id == .wrongOwner && $0.subject == data.path && $0.fix.contains("chown -R 4321") })
        #expect(findings.contains { $0.id == .portInUse && $0.subject == "127.0.0.1:\(server.port)/tcp" })
        #expect(findings.contains { $0.id == .missingDirectory })
    }

    @Test func doctorNamesAShellVariableThatComposeTakesOverTheFile() async throws {
        guard let compose = IntegrationSupport.compose() else { return }
        let root = try IntegrationSupport.scratchCheckout()
        try IntegrationSupport.exampleSettings(overriding: [
            "TZ": "Etc/UTC", "SONARR_PORT": "18989", "BORG_PASSPHRASE": "file-passphrase-0123456789",
            "CONFIG_ROOT": root.appendingPathComponent("config").path,
            "DATA_ROOT": root.appendingPathComponent("data").path,
            "BACKUP_ROOT": root.appendingPathComponent("backup").path,
        ]).write(to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        // TZ and BORG_PASSPHRASE are interpolated by Compose; SONARR_PORT is written into compose.yml at render.
        let shell = [
            "TZ": "Europe/Berlin", "SONARR_PORT": "28989", "BORG_PASSPHRASE": "shell-passphrase-0123456789",
        ]
        let render = try await IntegrationSupport.mediaserver(["render", "--root", root.path])
        #expect(render.status == 0, "\(render.standardError)")
        // Compose itself, on the rendered files: the shell's TZ wins over the file's.
        let config = try await compose.run(
            ComposeCLI.fileArguments([.core], envFile: ".env") + ["config", "--format", "json"],
            in: root.appendingPathComponent("deploy"),
            environment: IntegrationSupport.cleanEnvironment.merging(shell) { $1 }, runner: SubprocessRunner())
        let document = try JSONSerialization.jsonObject(with: Data(config.standardOutput.utf8)) as? [String: Any]
        let services = document?["services"] as? [String: [String: Any]]
        let environment = services?["sonarr"]?["environment"] as? [String: Any]
        #expect(environment?["TZ"] as? String == "Europe/Berlin", "\(config.standardError)")
        let ports = services?["sonarr"]?["ports"] as? [[String: Any]]
        #expect(ports?.first?["published"] as? String == "18989", "a rendered port is not interpolated")

        let output = try await IntegrationSupport.mediaserver(
            ["doctor", "--root", root.path, "--json"], environment: shell)
        let report = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        let overrides = (report?["findings"] as? [[String: Any]] ?? []).filter {
            $0["id"] as? String == "shell-overrides-env"
        }
        #expect(overrides.compactMap { $0["subject"] as? String }.sorted() == ["BORG_PASSPHRASE", "TZ"])
        for value in ["shell-passphrase-0123456789", "file-passphrase-0123456789", "28989"] {
            #expect(!output.standardOutput.contains(value) && !output.standardError.contains(value), "printed \(value)")
        }
    }

    @Test func doctorSaysOnceThatLANIPIsNotOnThisHost() async throws {
        // 192.0.2.0/24 is TEST-NET-1: no interface of this machine has it, so every bind fails with EADDRNOTAVAIL.
        let root = try IntegrationSupport.scratchCheckout()
        let env = try IntegrationSupport.exampleSettings(overriding: [
            "LAN_IP": "192.0.2.77", "CONFIG_ROOT": root.appendingPathComponent("config").path,
            "DATA_ROOT": root.appendingPathComponent("data").path,
            "BACKUP_ROOT": root.appendingPathComponent("backup").path,
        ])
        let stack = Stack(settings: try Settings.parse(env, path: ".env"))
        let findings = await Doctor(stack: stack).run()
        #expect(findings.filter { $0.id == .lanIPNotOnHost }.count == 1)
        #expect(
            !findings.contains { $0.id == .portInUse && $0.subject.hasPrefix("192.0.2.77:") },
            "nothing listens there: \(findings.filter { $0.id == .portInUse }.map(\.subject))")
    }

    @Test func doctorFindsDownloadsAndMediaOnDifferentFilesystems() async throws {
        // /dev/shm is a tmpfs: a different filesystem from the scratch folder on disk.
        let root = try IntegrationSupport.scratchCheckout()
        let data = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(
            at: data.appendingPathComponent("usenet"), withIntermediateDirectories: true)
        let elsewhere = "/dev/shm/mediaserver-media-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        try FileManager.default.createSymbolicLink(
            atPath: data.appendingPathComponent("media").path, withDestinationPath: elsewhere)
        let env = try IntegrationSupport.exampleSettings(overriding: ["DATA_ROOT": data.path])
        let findings = await Doctor(stack: Stack(settings: try Settings.parse(env, path: ".env"))).run()
        #expect(findings.contains { $0.id == .noHardlinks && $0.severity == .error })
    }

    @Test func upWithoutAnEngineSaysSoInOneSentence() async throws {
        let root = try IntegrationSupport.copyOfCommittedFiles()
        var environment = IntegrationSupport.cleanEnvironment
        environment["DOCKER_HOST"] = "unix:///nonexistent/docker.sock"
        let output = try await SubprocessRunner().run(
            try IntegrationSupport.executable(), ["up", "--root", root.path, "--env-file", ".env.example"],
            environment: environment, workingDirectory: nil, timeout: TestTime.process)
        #expect(output.status == 1)
        let lines = output.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(output.standardError)")
        #expect(
            output.standardError.contains("no Docker engine answers here")
                || output.standardError.contains("Docker is not installed"))
    }
}
