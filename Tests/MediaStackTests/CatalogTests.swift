import MediaStack
import MediaStackChecks
import MediaStackRendering
import Testing

@Suite("Catalog")
struct CatalogTests {
    /// The seed's services with their host → container ports (nil: no published port). The catalog may hold more:
    /// properties that hold for any service are in CatalogGrowthTests.
    static let seed: [(String, Int?, Int?)] = [
        ("jellyfin", 8096, 8096), ("plex", nil, nil), ("jellyseerr", 5055, 5055), ("overseerr", 5155, 5055),
        ("tautulli", 8181, 8181), ("sonarr", 8989, 8989), ("radarr", 7878, 7878), ("prowlarr", 9696, 9696),
        ("sabnzbd", 8080, 8080), ("bazarr", 6767, 6767), ("recyclarr", nil, nil), ("fail2ban", nil, nil),
        ("watchtower", nil, nil), ("borgmatic", nil, nil), ("rclone", nil, nil), ("homepage", 3000, 3000),
        ("dozzle", 9999, 8080), ("filebrowser", 8081, 80), ("prometheus", 9090, 9090), ("grafana", 3001, 3000),
        ("blackbox_exporter", 9115, 9115), ("cadvisor", 8082, 8080),
        // On the host network (its metrics must describe the host's interfaces): it binds 9100 itself.
        ("node_exporter", nil, nil),
        ("sab_exporter", 9707, 9707),
        // Beyond the seed, by design (issue 5): the read-only Docker API for Homepage and Dozzle; no published port.
        ("socket-proxy", nil, nil),
        // The seed's future enhancement, built now (issue 3): routes Prometheus alerts to Discord and e-mail.
        ("alertmanager", 9093, 9093),
    ]

    @Test("every service of the seed is declared with the seed's ports", arguments: seed)
    func seedService(name: String, host: Int?, container: Int?) throws {
        let service = try #require(Catalog.services.first { $0.name.rawValue == name })
        if let host, let container {
            #expect(service.ports.map(\.hostPort.value) == [host])
            #expect(service.ports.map(\.containerPort.value) == [container])
        } else {
            #expect(service.ports.isEmpty)
        }
    }

    @Test func stackSplitFollowsTheSeed() {
        let dashboard: Set<ServiceName> = [
            "homepage", "dozzle", "filebrowser", "prometheus", "grafana", "blackbox_exporter", "cadvisor",
            "node_exporter", "sab_exporter", "socket-proxy", "alertmanager",
        ]
        for (name, _, _) in Self.seed {
            let service = Catalog.services.first { $0.name.rawValue == name }
            #expect(service?.stack == (dashboard.contains(ServiceName(stringLiteral: name)) ? .dashboard : .core))
        }
    }

    @Test func containerNamesOfTheBackupServices() {
        #expect(Catalog.services.first { $0.name == "borgmatic" }?.containerName == "mediaserver-backup")
        #expect(Catalog.services.first { $0.name == "rclone" }?.containerName == "rclone_backup")
    }

    @Test func plexAndFail2banUseTheHostNetwork() {
        let host = Catalog.services.filter(\.usesHostNetwork).map(\.name.rawValue)
        #expect(Set(host).isSuperset(of: ["plex", "fail2ban", "node_exporter"]))
    }

    @Test func imagesArePinned() {
        for service in Catalog.services {
            #expect(service.image.tag != "latest" && !service.image.tag.isEmpty, "\(service.name)")
        }
    }

    @Test func everyLongRunningServiceHasAProbe() {
        for service in Catalog.services where service.isLongRunning {
            #expect(service.health != nil, "\(service.name)")
        }
        #expect(Catalog.services.first { $0.name == "recyclarr" }?.profiles == ["tools"])
    }

    @Test func probesAvoidTheKnownTraps() throws {
        let seerr = try #require(Catalog.services.first { $0.name == "jellyseerr" }?.health?.http)
        #expect(seerr.path == "/api/v1/settings/public")
        let sab = try #require(Catalog.services.first { $0.name == "sabnzbd" })
        #expect(sab.hostname == "sabnzbd")
        let homepage = try #require(Catalog.services.first { $0.name == "homepage" })
        let allowed = try #require(homepage.environment.first { $0.key == "HOMEPAGE_ALLOWED_HOSTS" })
        #expect(allowed.value.contains("homepage:3000"))
    }

    @Test func theDefaultModelHasNoFindings() throws {
        let settings = try Settings(file: EnvFile.defaults(path: ".env.example"))
        let stack = Stack(settings: settings)
        let findings = StackChecks().run(stack, rendered: try StackRenderer().render(stack))
        #expect(findings.isEmpty, "\(findings)")
    }
}
