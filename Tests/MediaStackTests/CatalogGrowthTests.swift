import Foundation
import MediaStack
import MediaStackChecks
import MediaStackOperations
import MediaStackRendering
import Testing

/// Properties every catalog must have, checked on the catalog as it is and on the catalog with one more service, so
/// the suite holds as the catalog grows and a newcomer's service is followed into every file without a test edit.
@Suite("Catalog growth")
struct CatalogGrowthTests {
    /// The catalog as committed, and the catalog with Newarr added (published on its own port, or elsewhere).
    static let catalogs: [(String, [Service])] = [
        ("catalog", []),
        ("catalog + newarr", [TestSupport.newcomer()]),
        ("catalog + newarr on another host port", [TestSupport.newcomer(port: .published(40100, onHost: 40200))]),
    ]

    static func stack(_ extra: [Service], _ overrides: [String: String] = [:]) throws -> Stack {
        try TestSupport.stack(adding: extra, overriding: overrides)
    }

    @Test("a service added by one declaration appears everywhere a service should", arguments: [40100, 40200])
    func addedServiceAppearsEverywhere(hostPort: Int) throws {
        let newarr = TestSupport.newcomer(port: .published(40100, onHost: hostPort))
        let stack = try Self.stack([newarr], ["LAN_IP": "192.168.1.10"])
        let files = try StackRenderer().render(stack)
        let compose = TestSupport.file(files, "compose.yml")
        #expect(compose.contains("\n  newarr:\n"))
        #expect(compose.contains("- ${LAN_IP:-127.0.0.1}:\(hostPort):40100\n"))
        #expect(compose.contains("http://127.0.0.1:40100/ping"), "the healthcheck asks the container port")
        #expect(compose.contains("NEWARR__AUTH__APIKEY: ${NEWARR_API_KEY}"))
        // Settings: its port and API key are documented and generated without an edit of SettingsCatalog.
        let example = EnvExampleRenderer().render(definitions: stack.settings.definitions).contents
        #expect(example.contains("\nNEWARR_PORT=\(hostPort)\n"))
        #expect(example.contains("\nNEWARR_API_KEY=CHANGE_ME\n"))
        #expect(SettingsCatalog.generatedSecrets(for: stack.catalog)["NEWARR_API_KEY"] == .apiKey)
        // Probes: `mediaserver health` from the host, Blackbox inside the engine.
        let probe = try #require(ProbeTarget.targets(for: stack).first { $0.service == "newarr" })
        #expect(probe.probeDescription == "GET http://192.168.1.10:\(hostPort)/ping → 200")
        #expect(PrometheusRenderer.probes(stack).first { $0.service == "newarr" }?.url == "http://newarr:40100/ping")
        // Homepage: a tile, its widget with the API key through HOMEPAGE_VAR_.
        let tile = try #require(HomepageRenderer.tiles(stack).first { $0.service == "newarr" })
        #expect(tile.href == "http://192.168.1.10:\(hostPort)")
        #expect(tile.widgetURL == "http://newarr:40100")
        #expect(tile.widget?.keySetting == "NEWARR_API_KEY")
        #expect(TestSupport.file(files, "homepage/services.yaml").contains("key: '{{HOMEPAGE_VAR_NEWARR_API_KEY}}'"))
        #expect(
            TestSupport.file(files, "homepage-stack.yml").contains("HOMEPAGE_VAR_NEWARR_API_KEY: ${NEWARR_API_KEY}"))
        // Backup: its config folder is a source, its regenerable folders are excluded.
        #expect(BackupRenderer.sources(stack).contains { $0.name == "newarr" })
        #expect(TestSupport.file(files, BackupPaths.configFile).contains("\"{source_root}/newarr\""))
        #expect(TestSupport.file(files, BackupPaths.excludesFile).contains("sh:**/newarr/MediaCover\n"))
        // fail2ban: a jail on the container port, and its log directory mounted.
        let jail = try #require(Fail2banRenderer.jails(stack).first { $0.service == "newarr" })
        #expect(jail.chain == "DOCKER-USER" && jail.ports == [40100])
        #expect(TestSupport.file(files, Fail2banRenderer.jailPath).contains("\n[newarr]\n"))
        #expect(compose.contains("/newarr/logs:/logs/newarr:ro"))
        // Nothing else needed: no check finds anything the declaration left out.
        // (The defaults' placeholder secrets are reported for every key alike.)
        let findings = (StackChecks().run(stack, rendered: files) + SecurityChecks().run(stack, composeFiles: []))
            .filter { $0.id != .placeholderSecret }
        #expect(!findings.contains { $0.subject == "newarr" || $0.subject.hasPrefix("NEWARR_") }, "\(findings)")
        #expect(!findings.hasErrors, "\(findings)")
    }

    @Test("every service that logs failed logins has a jail in the chain that sees it", arguments: catalogs)
    func everyAuthLogHasAJail(label: String, extra: [Service]) throws {
        let stack = try Self.stack(extra)
        let jails = Fail2banRenderer.jails(stack)
        for service in stack.services where service.authLog != nil {
            let jail = try #require(jails.first { $0.service == service.name }, "\(label): \(service.name)")
            #expect(jail.chain == (service.usesHostNetwork ? "INPUT" : "DOCKER-USER"), "\(service.name)")
            let port = try #require(service.port, "\(service.name) logs logins but declares no port")
            #expect(jail.ports.first == port.container.value, "\(service.name): the jail names the container port")
        }
        #expect(jails.count == stack.services.filter { $0.authLog != nil }.count)
    }

    @Test("every service with an API key says how its failed logins are banned, or why not", arguments: catalogs)
    func everyLoginIsJailedOrExplained(label: String, extra: [Service]) throws {
        for service in try Self.stack(extra).catalog where service.apiKey != nil {
            #expect(service.authLog != nil || service.unjailedLogin != nil, "\(label): \(service.name)")
        }
    }

    @Test("every long-running service is probed, and an HTTP probe asks the service's port", arguments: catalogs)
    func everyServiceIsProbed(label: String, extra: [Service]) throws {
        let stack = try Self.stack(extra)
        let targets = ProbeTarget.targets(for: stack)
        let blackbox = PrometheusRenderer.probes(stack)
        for service in stack.services where service.isLongRunning {
            #expect(targets.contains { $0.service == service.name }, "\(label): \(service.name) has no health probe")
            guard let http = service.health?.http else { continue }
            #expect(http.port == service.port?.container, "\(service.name)")
            #expect(blackbox.contains { $0.service == service.name }, "\(service.name) is not a Blackbox target")
            guard let target = targets.first(where: { $0.service == service.name }) else { continue }
            if case .http(let url, _) = target.method {
                let published = service.usesHostNetwork ? http.port : service.ports.first?.hostPort
                #expect(url.port == published?.value, "\(service.name)")
            } else {
                #expect(service.port?.defaultHostPort == nil, "\(service.name): published, yet probed by Docker")
            }
        }
    }

    @Test("every service with a tile is on Homepage, its widget on the service's port", arguments: catalogs)
    func everyTileIsOnHomepage(label: String, extra: [Service]) throws {
        let stack = try Self.stack(extra)
        let tiles = HomepageRenderer.tiles(stack)
        for service in stack.services where service.dashboard != nil {
            let tile = try #require(tiles.first { $0.service == service.name }, "\(label): \(service.name)")
            if let port = service.port { #expect(tile.widgetURL?.hasSuffix(":\(port.container)") == true) }
            if let published = service.ports.first { #expect(tile.href.hasSuffix(":\(published.hostPort)")) }
            #expect(tile.widget?.keySetting == service.dashboard?.widget.flatMap { _ in service.apiKeySetting })
        }
        #expect(tiles.count == stack.services.filter { $0.dashboard != nil }.count)
    }

    @Test("every service states its backup facts, and each source is in borgmatic's config", arguments: catalogs)
    func everyServiceHasBackupFacts(label: String, extra: [Service]) throws {
        let stack = try Self.stack(extra)
        let config = TestSupport.file(try StackRenderer().render(stack), BackupPaths.configFile)
        let excludes = TestSupport.file(try StackRenderer().render(stack), BackupPaths.excludesFile)
        for service in stack.services {
            let folder = "\"{source_root}/\(service.name)\""
            #expect(config.contains(folder) == service.backup.includeConfig, "\(label): \(service.name)")
            for exclude in service.backup.excludes {
                #expect(excludes.contains(BackupRenderer.excludePattern(exclude, of: service.name) + "\n"))
            }
        }
    }

    @Test("every port and API key setting derives from a declaration", arguments: catalogs)
    func settingsDeriveFromTheCatalog(label: String, extra: [Service]) throws {
        let stack = try Self.stack(extra)
        let keys = stack.settings.definitions.map(\.key)
        for service in stack.catalog {
            for port in service.ports {
                #expect(port.settingKey == "\(service.name.settingPrefix)_PORT")
                #expect(port.containerPort == service.port?.container)
                #expect(keys.contains(port.settingKey), "\(label): \(port.settingKey)")
            }
            if let key = service.apiKeySetting { #expect(keys.contains(key), "\(label): \(key)") }
        }
        #expect(Set(keys).count == keys.count, "a setting is declared twice")
    }

    @Test func everyNameTheCodeUsesIsACatalogService() {
        let names = Set(Catalog.services.map(\.name))
        for name in ServiceName.referencedByCode { #expect(names.contains(name), "\(name)") }
        #expect(names.contains(Catalog.socketProxy))
    }

    @Test func everySettingTheCodeReadsIsDefined() {
        let keys = Set(SettingsCatalog.definitions().map(\.key))
        for key in SettingKey.all { #expect(keys.contains(key.rawValue), "\(key)") }
    }

    @Test func everyFindingIDIsKebabCase() {
        for id in FindingID.allCases {
            #expect(id.rawValue.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(id)")
        }
    }

    @Test(arguments: ["", "Sonarr", "1password", "node exporter", "sab.exporter", "-x"])
    func invalidServiceNamesAreRefused(name: String) {
        #expect(ServiceName(name) == nil)
    }
}
