import Foundation
import MediaStack
import MediaStackChecks
import MediaStackRendering
import Testing

@Suite("Observability from the catalog")
struct ObservabilityTests {
    func stack(_ overrides: [String: String] = [:]) throws -> Stack {
        Stack(settings: try TestSupport.settings(overriding: overrides))
    }

    func panels(_ stack: Stack) -> [GrafanaRenderer.Panel] { GrafanaRenderer.dashboards(stack).flatMap(\.panels) }

    @Test(
        "a disabled service leaves no target, probe, tile, widget key or panel",
        arguments: [
            "sonarr", "plex", "sab_exporter", "cadvisor", "alertmanager", "bazarr",
        ])
    func disabledServiceLeavesNothing(name: String) throws {
        let service = ServiceName(stringLiteral: name)
        let before = try stack()
        let after = try stack(["DISABLED_SERVICES": name])
        #expect(PrometheusRenderer.probes(before).contains { $0.service == service })
        #expect(!PrometheusRenderer.probes(after).contains { $0.service == service })
        #expect(!PrometheusRenderer.scrapeTargets(after).contains { $0.service == service })
        #expect(!HomepageRenderer.tiles(after).contains { $0.service == service })
        #expect(!panels(after).contains { $0.title == name || $0.source.contains(name) })
        let files = try StackRenderer().render(after)
        for file in files where file.path.hasPrefix("prometheus/") || file.path.hasPrefix("grafana/") {
            #expect(!file.contents.contains("service: \(name)\n"), "\(file.path)")
            #expect(!file.contents.contains("service=\\\"\(name)\\\""), "\(file.path)")
            #expect(!file.contents.contains("\"title\": \"\(name)\""), "\(file.path)")
        }
        if let widget = before.service(service)?.dashboard?.widget, let key = widget.keySetting {
            let variable = HomepageWidget.variable(for: key)
            #expect(TestSupport.file(try StackRenderer().render(before), "homepage-stack.yml").contains(variable))
            let shared = after.services.contains { $0.dashboard?.widget?.settingKeys.contains(key) == true }
            if !shared { #expect(!TestSupport.file(files, "homepage-stack.yml").contains(variable)) }
            #expect(!TestSupport.file(files, "homepage/services.yaml").contains("type: \(widget.type)\n"))
        }
    }

    @Test func disablingAnExporterDropsItsDashboardAndRules() throws {
        let files = try StackRenderer().render(try stack(["DISABLED_SERVICES": "cadvisor,node_exporter"]))
        let paths = Set(files.map(\.path))
        #expect(!paths.contains("grafana/dashboards/host/host.json"))
        #expect(!paths.contains("grafana/dashboards/containers/containers.json"))
        #expect(!paths.contains("prometheus/rules/host.yml") && !paths.contains("prometheus/rules/backup.yml"))
        #expect(paths.contains("grafana/dashboards/services/services.json"))
        let providers = TestSupport.file(files, GrafanaRenderer.providersPath)
        #expect(!providers.contains("mediaserver-host") && providers.contains("mediaserver-services"))
    }

    @Test func disablingPrometheusOrGrafanaRendersNoneOfTheirFiles() throws {
        let files = try StackRenderer().render(try stack(["DISABLED_SERVICES": "grafana,prometheus,alertmanager"]))
        #expect(!files.contains { $0.path.hasPrefix("prometheus/rules") || $0.path.hasPrefix("grafana/") })
        #expect(!files.contains { $0.path == PrometheusRenderer.path })
    }

    @Test func aChangedHostPortFollowsIntoHomepageAndContainerPortsStay() throws {
        let stack = try stack(["SONARR_PORT": "18989", "LAN_IP": "192.168.1.10"])
        let tile = try #require(HomepageRenderer.tiles(stack).first { $0.service == "sonarr" })
        #expect(tile.href == "http://192.168.1.10:18989")
        #expect(tile.widgetURL == "http://sonarr:8989")
        #expect(PrometheusRenderer.probes(stack).first { $0.service == "sonarr" }?.url == "http://sonarr:8989/ping")
    }

    /// A service added to the catalog with a probe, tile and widget appears in every observability file, and its
    /// ports follow when they change.
    @Test("an added service follows everywhere", arguments: [40100, 40101])
    func addedServiceFollows(port: Int) throws {
        let stack = try TestSupport.stack(adding: [TestSupport.newcomer(port: .published(port, onHost: port + 1000))])
        let files = try StackRenderer().render(stack)
        let prometheus = TestSupport.file(files, PrometheusRenderer.path)
        #expect(prometheus.contains("- http://newarr:\(port)/ping\n    labels:\n      service: newarr"))
        #expect(TestSupport.file(files, "homepage/services.yaml").contains("href: http://127.0.0.1:\(port + 1000)"))
        #expect(TestSupport.file(files, "homepage/services.yaml").contains("url: http://newarr:\(port)"))
        #expect(
            TestSupport.file(files, "homepage-stack.yml").contains("HOMEPAGE_VAR_NEWARR_API_KEY: ${NEWARR_API_KEY}"))
        #expect(
            TestSupport.file(files, "grafana/dashboards/services/services.json").contains(
                "probe_success{job=\\\"blackbox_http\\\",service=\\\"newarr\\\"}"))
    }

    @Test func everyHTTPProbeOfTheCatalogIsABlackboxTargetWithItsServiceLabel() throws {
        let stack = try stack()
        let http = stack.services.filter { $0.health?.http != nil }.map(\.name)
        #expect(PrometheusRenderer.probes(stack).map(\.service) == http)
        #expect(http.contains("sab_exporter"), "the outside-only probe is probed by Blackbox")
        #expect(
            PrometheusRenderer.probes(stack).first { $0.service == "plex" }?.url
                == "http://host.docker.internal:32400/identity")
        let jobs = PrometheusRenderer.scrapeTargets(stack).map(\.job)
        #expect(jobs == ["prometheus", "alertmanager", "blackbox", "cadvisor", "node", "sabnzbd"])
    }

    @Test func alertDeliveryFollowsTheSettingsAndNeverHoldsASecret() throws {
        func rendered(_ overrides: [String: String]) throws -> String {
            try #require(try AlertmanagerRenderer().render(try stack(overrides))?.contents)
        }
        #expect(try rendered([:]).contains("receiver: blackhole"))
        let both = try rendered([
            "ALERT_DISCORD_WEBHOOK_URL": "https://discord.invalid/api/webhooks/1/SECRET",
            "ALERT_EMAIL_TO": "ops@example.invalid", "ALERT_SMTP_SMARTHOST": "smtp.example.invalid:587",
            "ALERT_SMTP_FROM": "a@example.invalid", "ALERT_SMTP_PASSWORD": "SECRET-PW",
        ])
        #expect(!both.contains("SECRET"))
        #expect(both.contains("webhook_url_file: /run/secrets/alert_discord_webhook_url"))
        #expect(both.contains("smtp_auth_password_file: /run/secrets/alert_smtp_password"))
        #expect(both.contains("receiver: discord-email"))
        #expect(try rendered(["ALERT_EMAIL_TO": "ops@example.invalid"]).contains("receiver: email"))
    }

    @Test func emailAlertsWithoutAServerAreAnError() throws {
        let stack = try stack(["ALERT_EMAIL_TO": "ops@example.invalid"])
        let findings = StackChecks().run(stack, rendered: try StackRenderer().render(stack))
        #expect(
            findings.filter { $0.id == .alertEmailIncomplete }.map(\.subject).sorted()
                == ["ALERT_SMTP_FROM", "ALERT_SMTP_SMARTHOST"])
    }

    @Test func alertmanagerSecretsComeFromTheEnvironmentThroughCompose() throws {
        let compose = TestSupport.file(try StackRenderer().render(try stack()), "homepage-stack.yml")
        #expect(
            compose.hasSuffix(
                "secrets:\n  alert_discord_webhook_url:\n    environment: ALERT_DISCORD_WEBHOOK_URL\n"
                    + "  alert_smtp_password:\n    environment: ALERT_SMTP_PASSWORD\n"))
        #expect(compose.contains("    secrets:\n    - alert_discord_webhook_url\n    - alert_smtp_password\n"))
    }

    @Test func homepageWidgetKeysAreSubstitutedFromItsEnvironment() throws {
        let files = try StackRenderer().render(try stack())
        let services = TestSupport.file(files, "homepage/services.yaml")
        let compose = TestSupport.file(files, "homepage-stack.yml")
        let used = services.components(separatedBy: "{{").dropFirst().compactMap {
            $0.components(separatedBy: "}}").first
        }
        #expect(used.count >= 8)
        for variable in used {
            #expect(variable.hasPrefix("HOMEPAGE_VAR_"))
            let setting = String(variable.dropFirst("HOMEPAGE_VAR_".count))
            #expect(compose.contains("\(variable): ${\(setting)}"), "\(variable)")
        }
        let docker = TestSupport.file(files, "homepage/docker.yaml")
        #expect(docker.contains("host: \(Catalog.dockerProxyHost)\n  port: \(Catalog.dockerProxyPort)\n"))
        for name in [
            "settings.yaml", "services.yaml", "widgets.yaml", "docker.yaml", "bookmarks.yaml", "custom.css",
            "custom.js", "kubernetes.yaml", "proxmox.yaml",
        ] {
            #expect(
                TestSupport.file(files, "homepage/\(name)").contains("Generated by `mediaserver render`"), "\(name)")
        }
    }

    @Test func dashboardsAreValidJSONWithTheFixedDatasource() throws {
        let files = try StackRenderer().render(try stack())
        var uids: Set<String> = []
        for file in files where file.path.hasSuffix(".json") {
            let object = try JSONSerialization.jsonObject(with: Data(file.contents.utf8)) as? [String: Any]
            let dashboard = try #require(object)
            let uid = try #require(dashboard["uid"] as? String)
            #expect(uids.insert(uid).inserted)
            for panel in dashboard["panels"] as? [[String: Any]] ?? [] {
                #expect((panel["datasource"] as? [String: String])?["uid"] == GrafanaRenderer.datasourceUID)
            }
        }
        #expect(uids.count == 3)
        #expect(TestSupport.file(files, GrafanaRenderer.datasourcePath).contains("uid: prometheus\n"))
    }

    @Test func mountPointRegexEscapesMetacharactersTwice() throws {
        let stack = try stack(["DATA_ROOT": "/tank/media.data"])
        #expect(HostFilesystems.regex(stack.settings).contains("/tank/media\\\\.data"))
        #expect(HostFilesystems.mountPoints(stack.settings).contains("/tank"))
    }

    /// The note lists every job, rule and panel by name; the per-service probes and probe panels, which grow with
    /// the catalog, it describes once (`mediaserver services` lists them).
    @Test func theObservabilityNoteListsEveryJobRuleAndPanel() throws {
        let note = try String(
            contentsOf: TestSupport.repositoryRoot.appendingPathComponent("docs/observability.md"), encoding: .utf8)
        let stack = try stack()
        let services = Set(stack.services.map(\.name.rawValue))
        for target in PrometheusRenderer.scrapeTargets(stack) { #expect(note.contains("`\(target.job)`")) }
        #expect(note.contains("`http://<service>:<port><path>`"))
        for rule in AlertRulesRenderer.groups(stack).flatMap(\.rules) { #expect(note.contains("`\(rule.name)`")) }
        for dashboard in GrafanaRenderer.dashboards(stack) {
            for panel in dashboard.panels where !services.contains(panel.title) {
                #expect(note.contains("| \(panel.title) |"), "\(panel.title)")
            }
        }
        #expect(note.contains("| <service> | Media server / Services & backups |"))
    }
}
