import Foundation
import MediaStack
import MediaStackRendering
import Testing

/// Facts the rendered files depend on that only the real images and programs can contradict, each checked here
/// against what the upstream source of the pinned version says.
@Suite("Upstream facts")
struct UpstreamFactsTests {
    static func service(_ name: ServiceName) throws -> Service {
        try #require(Catalog.services.first { $0.name == name })
    }

    @Test("every pinned tag follows its publisher's tag scheme", arguments: Catalog.services.map(\.name))
    func pinnedTagFollowsScheme(name: ServiceName) throws {
        let service = try Self.service(name)
        #expect(
            service.image.scheme.accepts(service.image.tag),
            "\(service.image) is not a \(service.image.scheme) tag (\(service.image.scheme.source))")
    }

    @Test func tagSchemesRejectWhatPublishersNeverPush() {
        // The git tag of a crazymax rebuild, a Prometheus tag without its v, a linuxserver tag without its build.
        #expect(!TagScheme.crazymax.accepts("1.1.0-r6"))
        #expect(TagScheme.crazymax.accepts("1.1.0"))
        #expect(!TagScheme.prometheus.accepts("3.14.0"))
        #expect(!TagScheme.recyclarr.accepts("v8.7.1"))
        #expect(!TagScheme.linuxServer.accepts("4.0.19.2979"))
        #expect(!TagScheme.linuxServer.accepts("latest-ls3"))
        #expect(TagScheme.linuxServer.accepts("3.4.6-r0-ls101"))
        #expect(TagScheme.linuxServer.accepts("1.43.3.10828-00f62d37d-ls315"))
        #expect(TagScheme.linuxServer.accepts("v2.17.1-ls230"))
    }

    @Test(arguments: [("sonarr", [4, 0]), ("radarr", [6, 1]), ("prowlarr", [2, 3])])
    func theServarrAppsTrustForwardedHeadersOnlyFromPrivateNetworks(_ name: String, _ first: [Int]) throws {
        // The fail2ban jails behind the front door ban the address these apps log, which is the client's only
        // because they trust X-Forwarded-For from private networks alone (KnownNetworks in
        // src/NzbDrone.Host/Startup.cs; see Fail2banRenderer.jails). Radarr before 6.1 (v6.0.3.10276 and older)
        // cleared KnownNetworks and KnownProxies and so trusted the header from any address.
        let service = try Self.service(try #require(ServiceName(name)))
        let version = try #require(ReleaseVersion(tag: service.image.tag))
        #expect(
            version.numbers.lexicographicallyPrecedes(first) == false,
            "\(service.image) predates the private-network KnownNetworks (\(first))")
    }

    @Test func theSocketProxyOpensEverySectionDozzleReads() throws {
        // Dozzle lists containers, streams their logs and follows events; since 3.4.3-r0-ls92 the proxy denies
        // /containers/{id}/logs unless ALLOW_LOGS is set (linuxserver/docker-socket-proxy haproxy.cfg).
        let proxy = try Self.service(Catalog.socketProxy)
        let open = Set(proxy.environment.filter { $0.value == "1" }.map(\.key))
        for section in ["CONTAINERS", "ALLOW_LOGS", "EVENTS", "INFO"] {
            #expect(open.contains(section), "socket-proxy does not grant \(section)")
        }
        #expect(proxy.environment.contains(EnvironmentVariable("POST", "0")))
    }

    @Test func theJellyfinWidgetShowsItsCountBlocks() throws {
        let files = try TestSupport.render(try TestSupport.settings(overriding: [:]))
        let services = TestSupport.file(files, "homepage/services.yaml")
        let jellyfin = try #require(services.components(separatedBy: "- Jellyfin:").dropFirst().first)
        let widget = jellyfin.components(separatedBy: "\n    - ").first ?? ""
        #expect(widget.contains("fields: [movies, series, episodes]"))
        #expect(widget.contains("enableBlocks: true"))
    }

    @Test func everyPublishedWebUIIsProbedByBlackbox() throws {
        let stack = Stack(settings: try TestSupport.settings(overriding: [:]))
        let probed = Set(PrometheusRenderer.probes(stack).map(\.service))
        for service in stack.services where !service.ports.isEmpty && service.isLongRunning {
            #expect(probed.contains(service.name), "\(service.name) has a published port but no Blackbox probe")
        }
    }

    @Test func watchtowerIsCheckedByAProbeThatCanFail() throws {
        let watchtower = try Self.service("watchtower")
        // `--health-check` returns 0 before checking anything (nicholas-fedor/watchtower cmd/root.go).
        #expect(watchtower.health?.programs.contains("/watchtower") != true)
        #expect(watchtower.health?.http?.path == "/readyz")
        #expect(watchtower.environment.contains(EnvironmentVariable("WATCHTOWER_HTTP_API_ENDPOINTS", "health")))
        let stack = Stack(settings: try TestSupport.settings(overriding: [:]))
        #expect(PrometheusRenderer.probes(stack).contains { $0.service == "watchtower" && $0.path == "/readyz" })
        // The image's own HEALTHCHECK is that no-op: the rendered service disables it.
        let compose = TestSupport.file(try TestSupport.render(stack.settings), "compose.yml")
        let block = try #require(compose.components(separatedBy: "\n  watchtower:\n").dropFirst().first)
        let service = block.components(separatedBy: "\n  borgmatic:").first ?? block
        #expect(service.contains("healthcheck:\n      disable: true"))
    }

    @Test func nodeExporterReadsTheHostsNamespacesAndIsScrapedThroughTheGateway() throws {
        let node = try Self.service("node_exporter")
        // prometheus/node_exporter README "Docker": --net="host" --pid="host".
        #expect(node.usesHostNetwork && node.hostPID)
        #expect(node.hostPorts.map(\.port.value) == [9100])
        let stack = Stack(settings: try TestSupport.settings(overriding: [:]))
        let target = try #require(PrometheusRenderer.scrapeTargets(stack).first { $0.service == "node_exporter" })
        #expect(target.address == "host.docker.internal:9100")
        let prometheus = try Self.service("prometheus")
        #expect(prometheus.extraHosts.contains("host.docker.internal:host-gateway"))
        let dashboard = TestSupport.file(try TestSupport.render(stack.settings), "homepage-stack.yml")
        let block = try #require(dashboard.components(separatedBy: "\n  node_exporter:\n").dropFirst().first)
        let service = block.components(separatedBy: "\n  sab_exporter:").first ?? block
        #expect(service.contains("network_mode: host") && service.contains("pid: host"))
    }

    @Test func exportersAndPrometheusStayOnLoopbackWhateverLANIPSays() throws {
        let settings = try TestSupport.settings(overriding: ["LAN_IP": "192.168.1.10"])
        let dashboard = TestSupport.file(try TestSupport.render(settings), "homepage-stack.yml")
        for (service, port) in [
            ("prometheus", "9090:9090"), ("blackbox_exporter", "9115:9115"), ("cadvisor", "8082:8080"),
            ("sab_exporter", "9707:9707"),
        ] {
            let block = try #require(dashboard.components(separatedBy: "\n  \(service):\n").dropFirst().first)
            let ports = block.components(separatedBy: "\n    volumes:").first ?? block
            #expect(ports.contains("- 127.0.0.1:\(port)"), "\(service) is published beyond loopback")
        }
        // People open Grafana; it stays on LAN_IP.
        #expect(dashboard.contains("- ${LAN_IP:-127.0.0.1}:3001:3000"))
        #expect(!dashboard.contains("--web.enable-lifecycle"))
    }
}
