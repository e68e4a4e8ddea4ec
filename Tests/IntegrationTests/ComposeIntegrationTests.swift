import Foundation
import MediaStack
import MediaStackOperations
import Testing

/// The rendered files judged by the real Docker Compose v2 loader (`docker-compose config`, no engine needed).
@Suite("Docker Compose accepts the rendered stacks")
struct ComposeIntegrationTests {
    static let selections: [[StackID]] = [[.core], [.dashboard], [.core, .dashboard]]

    func config(
        _ stacks: [StackID], in root: URL, envFile: String, global: [String] = [], extra: [String] = []
    ) async throws -> ProcessOutput {
        let cli = try #require(IntegrationSupport.compose())
        return try await cli.run(
            global + ComposeCLI.fileArguments(stacks, envFile: envFile) + ["config"] + extra, in: root,
            environment: IntegrationSupport.cleanEnvironment, runner: SubprocessRunner())
    }

    @Test("the committed files load cleanly with .env.example", arguments: selections)
    func committedFiles(_ stacks: [StackID]) async throws {
        let output = try await config(
            stacks, in: IntegrationSupport.repositoryRoot, envFile: ".env.example", extra: ["-q"])
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardError.isEmpty, "Compose warned: \(output.standardError)")
    }

    @Test func theSeedsServicesAndProfilesAreWhatComposeSees() async throws {
        let root = IntegrationSupport.repositoryRoot
        let core = try await config([.core], in: root, envFile: ".env.example", extra: ["--services"])
        let services = Set(core.standardOutput.split(separator: "\n").map(String.init))
        #expect(services.contains("jellyfin") && services.contains("borgmatic") && !services.contains("recyclarr"))
        let tools = try await config(
            [.core], in: root, envFile: ".env.example", global: ["--profile", "tools"], extra: ["--services"])
        #expect(tools.standardOutput.split(separator: "\n").contains("recyclarr"))
        let merged = try await config(
            [.core, .dashboard], in: root, envFile: ".env.example", extra: ["--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(merged.standardOutput.utf8)) as? [String: Any]
        let network = (json?["networks"] as? [String: Any])?["media_net"] as? [String: Any]
        #expect(network?["name"] as? String == "media_net")
        #expect(network?["external"] as? Bool == true)
    }

    struct Variation: Sendable, CustomTestStringConvertible {
        let name: String
        let overrides: [String: String]
        var testDescription: String { name }
    }

    static let variations: [Variation] = [
        Variation(
            name: "services disabled", overrides: ["DISABLED_SERVICES": "plex,overseerr,tautulli,fail2ban,filebrowser"]),
        Variation(
            name: "other paths and ports",
            overrides: [
                "CONFIG_ROOT": "/srv/cfg", "DATA_ROOT": "/tank/media", "BACKUP_ROOT": "/backup/repo",
                "SONARR_PORT": "18989", "GRAFANA_PORT": "13001", "LAN_IP": "10.0.0.5", "PUID": "1234",
            ]),
        Variation(
            name: "only the essentials",
            overrides: ["DISABLED_SERVICES": "recyclarr,watchtower,sab_exporter,dozzle,cadvisor"]),
        Variation(
            name: "front door on, with mail",
            overrides: [
                "DOMAIN": "media.home.arpa", "LAN_IP": "10.0.0.5", "ALERT_SMTP_SMARTHOST": "smtp.example.com:587",
                "ALERT_SMTP_FROM": "media@example.com", "ALERT_SMTP_PASSWORD": "x",
            ]),
    ]

    @Test("renders of .env variations load cleanly", arguments: variations)
    func variation(_ variation: Variation) async throws {
        let root = try IntegrationSupport.scratchCheckout(
            env: try IntegrationSupport.exampleSettings(overriding: variation.overrides))
        let render = try await IntegrationSupport.mediaserver(["render", "--root", root.path])
        #expect(render.status == 0, "\(render.standardError)")
        // The render of a user's .env is in deploy/, whose .env links to the checkout's.
        let deployment = root.appendingPathComponent("deploy")
        for stacks in Self.selections {
            let output = try await config(stacks, in: deployment, envFile: ".env", extra: ["-q"])
            #expect(output.status == 0, "\(stacks): \(output.standardError)")
            #expect(output.standardError.isEmpty, "\(stacks): \(output.standardError)")
        }
        let merged = try await config(
            [.core, .dashboard], in: deployment, envFile: ".env", extra: ["--format", "json"])
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(merged.standardOutput.utf8)) as? [String: Any])
        let services = try #require(json["services"] as? [String: [String: Any]])
        if let disabled = variation.overrides["DISABLED_SERVICES"] {
            for name in disabled.split(separator: ",") { #expect(services[String(name)] == nil, "\(name) still there") }
        }
        if variation.overrides["DOMAIN"] != nil {
            // Only Caddy on the LAN address; every other port on loopback; Authelia's secrets as files.
            for (name, service) in services {
                for port in service["ports"] as? [[String: Any]] ?? [] {
                    #expect(port["host_ip"] as? String == (name == "caddy" ? "10.0.0.5" : "127.0.0.1"), "\(name)")
                }
            }
            let secrets = try #require(services["authelia"]?["secrets"] as? [[String: Any]])
            #expect(secrets.count == 4)
            // Caddy alone on the front door network, at the address Grafana's auth.proxy trusts.
            let caddyNetworks = try #require(services["caddy"]?["networks"] as? [String: Any])
            #expect(Array(caddyNetworks.keys) == ["media_frontdoor"])
            #expect(
                (caddyNetworks["media_frontdoor"] as? [String: Any])?["ipv4_address"] as? String == "172.16.238.254")
            let grafana = services["grafana"]?["environment"] as? [String: Any]
            #expect(grafana?["GF_AUTH_PROXY_WHITELIST"] as? String == "172.16.238.254")
            let networks = json["networks"] as? [String: [String: Any]]
            let pool = ((networks?["media_frontdoor"]?["ipam"] as? [String: Any])?["config"] as? [[String: Any]])?.first
            #expect(
                pool?["subnet"] as? String == "172.16.238.0/24" && pool?["ip_range"] as? String == "172.16.238.0/25")
        }
        if variation.overrides["TRANSCODE_DEVICE"] == "" {
            #expect(services["jellyfin"]?["devices"] == nil && services["plex"]?["devices"] == nil)
            #expect(services["jellyfin"]?["group_add"] == nil)
        }
        if variation.overrides["SONARR_PORT"] != nil {
            let ports = try #require(services["sonarr"]?["ports"] as? [[String: Any]])
            #expect(ports.first?["published"] as? String == "18989")
            #expect(ports.first?["host_ip"] as? String == "10.0.0.5")
            let volumes = try #require(services["sonarr"]?["volumes"] as? [[String: Any]])
            #expect(volumes.contains { $0["source"] as? String == "/srv/cfg/sonarr" })
            #expect(volumes.contains { $0["source"] as? String == "/tank/media" })
            let grafana = try #require(services["grafana"]?["ports"] as? [[String: Any]])
            #expect(grafana.first?["published"] as? String == "13001")
            #expect(services["jellyfin"]?["user"] as? String == "1234:1000")
        }
    }

    @Test func anUnsetVariableIsOnlyAComposeWarningButACheckError() async throws {
        let text = try IntegrationSupport.exampleSettings(overriding: [:])
            .split(separator: "\n").filter { !$0.hasPrefix("TZ=") }.joined(separator: "\n")
        let root = try IntegrationSupport.copyOfCommittedFiles()
        try text.write(to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let output = try await config([.core], in: root, envFile: ".env", extra: ["-q"])
        #expect(output.status == 0, "Compose treats an unset variable as a warning only")
        #expect(output.standardError.contains("TZ\\\" variable is not set"), "\(output.standardError)")

        let check = try await IntegrationSupport.mediaserver(["check", "--root", root.path, "--json"])
        #expect(check.status == 2)
        let report = try JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Any]
        let findings = report?["findings"] as? [[String: String]] ?? []
        #expect(
            findings.contains { $0["id"] == "undefined-variable" && $0["subject"] == "TZ" && $0["severity"] == "error" }
        )
    }

    @Test func checkRunsComposeAndReportsItsErrors() async throws {
        let root = try IntegrationSupport.copyOfCommittedFiles()
        let ok = try await IntegrationSupport.mediaserver(["check", "--root", root.path, "--json"])
        #expect(ok.status == 0, "\(ok.standardOutput)\(ok.standardError)")
        // A hand-made mistake Compose rejects: an unknown key in the dashboard stack.
        let path = root.appendingPathComponent("homepage-stack.yml")
        let broken = try String(contentsOf: path, encoding: .utf8).replacingOccurrences(
            of: "    restart: unless-stopped\n", with: "    restartz: unless-stopped\n")
        try broken.write(to: path, atomically: true, encoding: .utf8)
        let check = try await IntegrationSupport.mediaserver(["check", "--root", root.path, "--json"])
        #expect(check.status == 2)
        let report = try JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Any]
        let findings = report?["findings"] as? [[String: String]] ?? []
        #expect(findings.contains { $0["id"] == "compose-invalid" && $0["subject"] == "homepage-stack.yml" })
        #expect(
            findings.contains { $0["id"] == "compose-invalid" && $0["subject"] == "compose.yml + homepage-stack.yml" })
        #expect(!findings.contains { $0["id"] == "compose-invalid" && $0["subject"] == "compose.yml" })
        #expect(findings.contains { $0["id"] == "render-drift" && $0["subject"] == "homepage-stack.yml" })
    }
}
