import Foundation
import MediaStackOperations
import TestKit
import Testing

/// The `mediaserver` executable's contract: exit codes, messages, and never a half-written checkout.
@Suite("Command line")
struct CommandLineTests {
    @Test func renderCheckIsCleanOnTheRepository() async throws {
        let output = try await IntegrationSupport.mediaserver([
            "render", "--check", "--root", IntegrationSupport.repositoryRoot.path, "--env-file", ".env.example",
        ])
        #expect(output.status == 0, "\(output.standardOutput)\(output.standardError)")
    }

    /// Two processes hash with two random seeds, so a render that followed a dictionary's or a set's order would
    /// differ between them; within one process it never could.
    @Test func renderingIsByteStableAcrossProcesses() async throws {
        // Settings off the defaults, from the committed template so that every setting the catalog declares is set.
        let env = try IntegrationSupport.exampleSettings(overriding: [
            "LAN_IP": "192.168.1.10", "SONARR_PORT": "18989", "DISABLED_SERVICES": "plex,overseerr,tautulli",
            "ALERT_EMAIL_TO": "ops@example.com", "ALERT_SMTP_SMARTHOST": "smtp.example.com:587",
            "ALERT_SMTP_FROM": "alerts@example.com",
        ])
        var renders: [[String: Data]] = []
        for _ in 0..<2 {
            let root = try IntegrationSupport.scratchCheckout(env: env)
            let output = try await IntegrationSupport.mediaserver(["render", "--root", root.path])
            #expect(output.status == 0, "\(output.standardError)")
            var files: [String: Data] = [:]
            let enumerator = FileManager.default.enumerator(atPath: root.path)
            while let path = enumerator?.nextObject() as? String {
                if let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path) {
                    files[path] = data
                }
            }
            renders.append(files)
        }
        #expect(renders[0].count > 20)
        for (path, data) in renders[0] { #expect(renders[1][path] == data, "\(path) differs between two renders") }
        #expect(Set(renders[0].keys) == Set(renders[1].keys))
    }

    @Test func healthWithoutAnEngineSaysSoOnce() async throws {
        // A socket nothing listens on: the docker CLI is there (or not), but no engine answers. LAN_IP 127.0.0.2
        // keeps the probes off whatever else this machine runs on 127.0.0.1.
        let root = try IntegrationSupport.scratchCheckout(
            env: try IntegrationSupport.exampleSettings(overriding: ["LAN_IP": "127.0.0.2"]))
        let arguments = [
            "health", "--root", root.path, "--timeout", String(TestTime.wholeSeconds(TestTime.request)), "--service",
            "sonarr", "--service", "radarr",
        ]
        let noEngine = ["DOCKER_HOST": "unix:///nonexistent/mediaserver-test.sock"]
        let output = try await IntegrationSupport.mediaserver(arguments, environment: noEngine)
        #expect(output.status == 1)
        #expect(
            output.standardError.contains("no Docker engine answers here")
                || output.standardError.contains("Docker is not installed"), "\(output.standardError)")
        #expect(!output.standardOutput.contains("sonarr"), "no per-service list: \(output.standardOutput)")
        let json = try await IntegrationSupport.mediaserver(arguments + ["--json"], environment: noEngine)
        #expect(json.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        #expect((report?["engine"] as? String)?.contains("Docker") == true, "\(json.standardOutput)")
    }

    @Test func versionPrintsTheRelease() async throws {
        let output = try await IntegrationSupport.mediaserver(["--version"])
        #expect(output.status == 0)
        let version = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.split(separator: ".").count == 3 && version.split(separator: ".").allSatisfy { Int($0) != nil })
        let upgrade = try String(
            contentsOf: IntegrationSupport.repositoryRoot.appendingPathComponent("docs/upgrade.md"), encoding: .utf8)
        #expect(upgrade.contains("## \(version)"), "docs/upgrade.md has no notes for \(version)")
    }

    @Test(arguments: ["up", "down"])
    func upAndDownAnswerInJSONEvenWithoutAnEngine(command: String) async throws {
        let output = try await IntegrationSupport.mediaserver(
            [command, "--json", "--root", IntegrationSupport.repositoryRoot.path],
            environment: ["DOCKER_HOST": "unix:///nonexistent/mediaserver-test.sock"])
        #expect(output.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        #expect(object?["ok"] as? Bool == false, "\(output.standardOutput)")
        #expect((object?["error"] as? String)?.contains("Docker") == true)
    }

    /// Every command's help, as a terminal 80 columns wide shows it.
    static let helpCommands: [[String]] = [
        [], ["init"], ["render"], ["check"], ["doctor"], ["up"], ["down"], ["ps"], ["health"], ["services"],
        ["backup"], ["backup", "init"], ["backup", "run"], ["backup", "restore-drill"], ["offsite"],
        ["offsite", "sync"], ["upgrade"],
    ]

    @Test(arguments: helpCommands)
    func helpExamplesFitEightyColumnsAndDefaultsShowOnce(command: [String]) async throws {
        let output = try await IntegrationSupport.mediaserver(["help"] + command, environment: ["COLUMNS": "80"])
        #expect(output.status == 0)
        let lines = output.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var inExamples = false
        // USAGE is one line by ArgumentParser's design; everything we wrote must fit.
        for line in lines where !line.hasPrefix("USAGE:") {
            #expect(line.count <= 80, "wider than 80 columns: \(line)")
            if line.trimmingCharacters(in: .whitespaces) == "Examples:" {
                inExamples = true
                continue
            }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { inExamples = false }
            if inExamples {
                // A wrapped example continues on a line that is no command: the comment was cut in two.
                let text = line.trimmingCharacters(in: .whitespaces)
                #expect(text.hasPrefix("mediaserver ") || text.hasPrefix("sudo mediaserver "), "wrapped: \(line)")
            }
        }
        // An option's help that says its default in words must not get a second, machine-specific one.
        let text = output.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(!text.contains("). (default:"), "a default printed twice")
        #expect(!text.contains("(default: \(FileManager.default.currentDirectoryPath))"))
    }

    @Test func servicesKeepsEveryPortInItsColumn() async throws {
        let output = try await IntegrationSupport.mediaserver([
            "services", "--root", IntegrationSupport.repositoryRoot.path,
        ])
        #expect(output.status == 0)
        let lines = output.standardOutput.split(separator: "\n").map(String.init)
        let header = try #require(lines.first)
        let probe = try #require(header.range(of: "PROBE")).lowerBound.utf16Offset(in: header)
        let portsColumn = try #require(header.range(of: "PORTS")).lowerBound.utf16Offset(in: header)
        let plex = try #require(lines.firstIndex { $0.hasPrefix("plex ") })
        // Plex's row, then its continuation lines (they start blank under SERVICE and STACK).
        var cell = String(lines[plex].dropFirst(portsColumn).prefix(probe - portsColumn))
        for line in lines[(plex + 1)...] {
            guard line.hasPrefix(" ") else { break }
            cell += "," + line.trimmingCharacters(in: .whitespaces)
        }
        for port in ["32400/tcp", "32469/tcp", "8324/tcp", "1900/udp", "5353/udp", "32410/udp", "32414/udp"] {
            #expect(cell.contains("host:\(port)"), "plex's \(port) is missing from: \(cell)")
        }
        for line in lines.dropFirst() where !line.hasPrefix(" ") {
            // Every row's probe starts in the PROBE column.
            #expect(line.count > probe && line[line.index(line.startIndex, offsetBy: probe - 1)] == " ", "\(line)")
        }
    }

    /// The services Watchtower follows are the ones whose rendered container carries its opt-in label.
    @Test func servicesSaysWhichImagesWatchtowerFollows() async throws {
        let root = IntegrationSupport.repositoryRoot.path
        let json = try await IntegrationSupport.mediaserver(["services", "--root", root, "--json"])
        #expect(json.status == 0)
        struct Row: Decodable {
            let name, stack: String
            let watchtower: Bool
        }
        let rows = try JSONDecoder().decode([Row].self, from: Data(json.standardOutput.utf8))
        var labelled: Set<String> = []
        for file in ["compose.yml", "homepage-stack.yml"] {
            // A service's block: from `  name:` to the next line indented by two spaces.
            var current: String?
            for line in try String(contentsOf: URL(fileURLWithPath: root + "/" + file), encoding: .utf8)
                .split(separator: "\n")
            {
                if line.hasPrefix("  "), !line.hasPrefix("   "), line.hasSuffix(":") {
                    current = String(line.dropFirst(2).dropLast())
                } else if !line.hasPrefix(" ") {
                    current = nil
                }
                if let current, line.contains("com.centurylinklabs.watchtower.enable=true") { labelled.insert(current) }
            }
        }
        #expect(!labelled.isEmpty)
        #expect(Set(rows.filter(\.watchtower).map(\.name)) == labelled)
        #expect(!rows.contains { $0.name == "sonarr" && $0.watchtower }, "a media app is never followed")

        let table = try await IntegrationSupport.mediaserver(["services", "--root", root])
        let lines = table.standardOutput.split(separator: "\n").map(String.init)
        let header = try #require(lines.first)
        let column = try #require(header.range(of: "UPDATES")).lowerBound.utf16Offset(in: header)
        for row in rows {
            let line = try #require(lines.first { $0.hasPrefix(row.name + " ") })
            #expect(line.dropFirst(column).hasPrefix(row.watchtower ? "watchtower " : "upgrade "), "\(line)")
        }
    }

    @Test func renderCheckNamesEachDifferingFile() async throws {
        let root = try IntegrationSupport.copyOfCommittedFiles()
        try "# edited\n".write(to: root.appendingPathComponent("compose.yml"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: root.appendingPathComponent("recyclarr/recyclarr.yml"))
        let output = try await IntegrationSupport.mediaserver(["render", "--check", "--root", root.path])
        #expect(output.status == 1)
        #expect(output.standardOutput.contains("compose.yml: differs from a fresh render"))
        #expect(output.standardOutput.contains("recyclarr/recyclarr.yml: differs from a fresh render"))
        #expect(!output.standardOutput.contains("homepage-stack.yml"))
    }

    @Test func aHandEditedFileIsKeptUntilForced() async throws {
        let root = try IntegrationSupport.copyOfCommittedFiles()
        let compose = root.appendingPathComponent("compose.yml")
        let edited = try String(contentsOf: compose, encoding: .utf8) + "# my note\n"
        try edited.write(to: compose, atomically: true, encoding: .utf8)
        let render = try await IntegrationSupport.mediaserver(["render", "--root", root.path])
        #expect(render.status == 1)
        #expect(render.standardError.contains("compose.yml was edited by hand"))
        #expect(try String(contentsOf: compose, encoding: .utf8) == edited)
        let forced = try await IntegrationSupport.mediaserver(["render", "--force", "--root", root.path])
        #expect(forced.status == 0)
        #expect(!(try String(contentsOf: compose, encoding: .utf8)).contains("# my note"))
    }

    @Test func badSettingsWriteNothing() async throws {
        let root = try IntegrationSupport.scratchCheckout(
            env: "PUID=me\nSONARR_PORT=99999\nCONFIG_ROOT=relative/path\n")
        let output = try await IntegrationSupport.mediaserver(["render", "--root", root.path])
        #expect(output.status == 2)
        #expect(output.standardError.contains(".env:1: PUID=me is not a numeric id"))
        #expect(output.standardError.contains(".env:2: SONARR_PORT=99999 is not a port number"))
        #expect(output.standardError.contains(".env:3: CONFIG_ROOT=relative/path is a relative path"))
        #expect(output.standardError.contains("nothing was written"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == [".env"])
    }

    @Test func aModelErrorWritesNothing() async throws {
        let root = try IntegrationSupport.scratchCheckout(
            env: try IntegrationSupport.exampleSettings(overriding: ["DISABLED_SERVICES": "sabnzbd"]))
        let output = try await IntegrationSupport.mediaserver(["render", "--root", root.path])
        #expect(output.status == 2)
        #expect(output.standardError.contains("[disabled-dependency] sab_exporter"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == [".env"])
    }

    @Test func checkReportsAClashWithExitCode2() async throws {
        let root = try IntegrationSupport.copyOfCommittedFiles()
        try IntegrationSupport.exampleSettings(overriding: ["DOZZLE_PORT": "8080"]).write(
            to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let output = try await IntegrationSupport.mediaserver(["check", "--root", root.path, "--no-compose"])
        #expect(output.status == 2)
        #expect(output.standardOutput.contains("error: [port-clash] port 8080/tcp"))
    }

    @Test func usageErrorsExit64() async throws {
        let output = try await IntegrationSupport.mediaserver(["render", "--check", "--force"])
        #expect(output.status == 64)
        let unknown = try await IntegrationSupport.mediaserver(["render", "--no-such-flag"])
        #expect(unknown.status == 64)
    }

    @Test func helpShowsExamples() async throws {
        let output = try await IntegrationSupport.mediaserver(["render", "--help"])
        #expect(output.status == 0)
        #expect(output.standardOutput.contains("mediaserver render --check"))
    }
}
