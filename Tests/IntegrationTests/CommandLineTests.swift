import Foundation
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
