import Foundation
import MediaStack
import MediaStackChecks
import MediaStackRendering
import Testing

@Suite("Rendering")
struct RenderTests {
    @Test func portsBindToTheLANAddressOnly() throws {
        let files = try TestSupport.render(TestSupport.settings(overriding: [:]))
        for path in ["compose.yml", "homepage-stack.yml"] {
            let lines = TestSupport.file(files, path).split(separator: "\n")
            let portLines = lines.filter { $0.contains(":") && $0.hasPrefix("    - ") && $0.contains("${LAN_IP") }
            #expect(!portLines.isEmpty)
            var inPorts = false
            for line in lines {
                if line.hasPrefix("    ports:") { inPorts = true; continue }
                if inPorts && line.hasPrefix("    - ") {
                    // Exporters and Prometheus bind loopback only (PublishedPort.loopbackOnly).
                    #expect(
                        line.hasPrefix("    - ${LAN_IP:-127.0.0.1}:") || line.hasPrefix("    - 127.0.0.1:"), "\(line)")
                } else {
                    inPorts = false
                }
            }
        }
    }

    @Test func theNetworkIsNamedInCoreAndExternalInTheDashboard() throws {
        let files = try TestSupport.render(TestSupport.settings(overriding: [:]))
        let compose = TestSupport.file(files, "compose.yml")
        #expect(compose.contains("\nnetworks:\n  media_net:\n    name: media_net\n"))
        // The one named volume: pre-backup.sh's database copies, outside the backed-up config root.
        #expect(compose.hasSuffix("\nvolumes:\n  borg-dumps: {}\n"))
        #expect(
            TestSupport.file(files, "homepage-stack.yml").contains(
                "networks:\n  media_net:\n    name: media_net\n    external: true\n"))
    }

    @Test func aChangedPortFollowsEverywhere() throws {
        let files = try TestSupport.render(TestSupport.settings(overriding: ["HOMEPAGE_PORT": "3030"]))
        let dashboard = TestSupport.file(files, "homepage-stack.yml")
        #expect(dashboard.contains("- ${LAN_IP:-127.0.0.1}:3030:3000"))
        #expect(dashboard.contains("HOMEPAGE_ALLOWED_HOSTS: ${LAN_IP:-127.0.0.1}:3030,homepage:3000"))
    }

    @Test("a disabled service leaves no trace", arguments: ["sabnzbd", "recyclarr", "plex", "grafana", "radarr"])
    func disabledServiceLeavesNoTrace(name: String) throws {
        // Disable the service and whatever needs it, as check would demand.
        let dependents = Catalog.services.filter { $0.requires.contains(ServiceName(stringLiteral: name)) }
            .map(\.name.rawValue)
        let disabled = ([name] + dependents).joined(separator: ",")
        let stack = Stack(settings: try TestSupport.settings(overriding: ["DISABLED_SERVICES": disabled]))
        let files = try StackRenderer().render(stack)
        #expect(StackChecks().run(stack, rendered: files).filter { $0.severity == .error }.isEmpty)
        for file in files where file.path != ".env.example" {
            for gone in [name] + dependents {
                #expect(!file.contents.contains("\(gone):"), "\(file.path) still mentions \(gone)")
                #expect(!file.contents.contains("/\(gone)"), "\(file.path) still mentions \(gone)")
                #expect(!file.contents.contains("//\(gone)"), "\(file.path) still mentions \(gone)")
            }
        }
    }

    @Test func disablingSonarrAndRadarrDropsTheRecyclarrConfig() throws {
        let files = try TestSupport.render(TestSupport.settings(overriding: ["DISABLED_SERVICES": "sonarr,radarr"]))
        #expect(!files.map(\.path).contains("recyclarr/recyclarr.yml"))
    }

    @Test func anEmptyTranscodeDeviceLeavesNoGPUBehind() throws {
        let files = try TestSupport.render(TestSupport.settings(overriding: ["TRANSCODE_DEVICE": ""]))
        let core = TestSupport.file(files, "compose.yml")
        #expect(!core.contains("/dev/dri"))
        #expect(!core.contains("RENDER_GID"))
        let other = try TestSupport.render(
            TestSupport.settings(overriding: ["TRANSCODE_DEVICE": "/dev/dri/renderD129"]))
        #expect(TestSupport.file(other, "compose.yml").contains("- /dev/dri/renderD129:/dev/dri/renderD129"))
        let defaults = TestSupport.file(try TestSupport.render(TestSupport.settings(overriding: [:])), "compose.yml")
        #expect(defaults.contains("- /dev/dri:/dev/dri") && defaults.contains("- ${RENDER_GID}"))
    }

    @Test func secretValuesNeverAppearInRenderedFiles() throws {
        let secrets = SettingsCatalog.definitions().filter(\.isSecret).map(\.key)
        var overrides: [String: String] = [:]
        for key in secrets { overrides[key] = "s3cret-\(key.lowercased())-value" }
        let files = try TestSupport.render(TestSupport.settings(overriding: overrides))
        for file in files {
            for value in overrides.values { #expect(!file.contents.contains(value), "\(file.path) leaks a secret") }
        }
    }

    @Test func healthchecksUseTheCatalogProbe() throws {
        let files = try TestSupport.render(TestSupport.settings(overriding: [:]))
        let core = TestSupport.file(files, "compose.yml")
        #expect(core.contains("test: [CMD, curl, -fsS, -o, /dev/null, --max-time, '8', 'http://127.0.0.1:8989/ping']"))
        #expect(core.contains("test: [CMD, fail2ban-client, ping]"))
    }
}
