import Foundation
import MediaStack
import MediaStackOperations
import MediaStackRendering
import Testing

/// The rendered Prometheus, Blackbox and Alertmanager files judged by Debian's promtool 2.42, blackbox_exporter
/// 0.23 and amtool 0.25 (reference/tools.md §2–§4).
@Suite("promtool, amtool and Blackbox accept the rendered observability files")
struct ObservabilityIntegrationTests {
    /// Settings that move every rendered fact: the defaults; roots with regex metacharacters and services
    /// disabled; a different probe set.
    static let variants: [[String: String]] = [
        [:],
        [
            "DATA_ROOT": "/tank/media.data+1", "CONFIG_ROOT": "/srv/config(x)", "BACKUP_ROOT": "/backup/borg",
            "DISABLED_SERVICES": "plex,tautulli,overseerr,cadvisor",
        ],
        ["DISABLED_SERVICES": "borgmatic,rclone,sab_exporter,alertmanager", "SONARR_PORT": "18989"],
    ]

    static func check(_ tool: String, _ arguments: [String], in folder: URL) async throws -> ProcessOutput? {
        guard let path = IntegrationSupport.tool(tool) else { return nil }
        return try await IntegrationSupport.run(path, arguments, in: folder)
    }

    @Test("promtool check config, check rules and test rules", arguments: variants.indices)
    func promtool(_ variant: Int) async throws {
        let stack = Stack(settings: try ObservabilitySupport.settings(Self.variants[variant]))
        let (folder, files) = try ObservabilitySupport.write(stack)
        defer { try? FileManager.default.removeItem(at: folder) }
        guard
            let config = try await Self.check("promtool", ["check", "config", "prometheus/prometheus.yml"], in: folder)
        else { return }
        #expect(config.succeeded, "\(config.standardOutput)\(config.standardError)")
        let groups = AlertRulesRenderer.groups(stack)
        #expect(config.standardOutput.contains("SUCCESS: \(groups.count) rule files found"), "\(config.standardOutput)")

        let rules = files.map(\.path).filter { $0.hasPrefix("prometheus/rules/") && !$0.contains("/tests/") }
        #expect(rules.count == groups.count)
        let checked = try #require(try await Self.check("promtool", ["check", "rules"] + rules, in: folder))
        #expect(checked.succeeded, "\(checked.standardOutput)\(checked.standardError)")

        let tests = files.map(\.path).filter { $0.hasPrefix("prometheus/rules/tests/") }
        #expect(tests.count == groups.count)
        let tested = try #require(try await Self.check("promtool", ["test", "rules"] + tests, in: folder))
        #expect(tested.succeeded, "\(tested.standardOutput)\(tested.standardError)")
        #expect(tested.standardOutput.components(separatedBy: "SUCCESS").count - 1 == tests.count)
    }

    @Test func everyRuleHasATestThatFiresAndOneThatDoesNot() throws {
        let stack = Stack(settings: try ObservabilitySupport.settings())
        let files = try AlertRulesRenderer().render(stack)
        for group in AlertRulesRenderer.groups(stack) {
            let tests = try #require(files.first { $0.path == group.testPath }?.contents)
            for rule in group.rules {
                #expect(tests.contains("alertname: \(rule.name)\n    exp_alerts:\n    - exp_labels"), "\(rule.name)")
                #expect(tests.contains("alertname: \(rule.name)\n    exp_alerts: []"), "\(rule.name)")
            }
        }
    }

    @Test func blackboxAcceptsItsConfig() async throws {
        let (folder, _) = try ObservabilitySupport.write(Stack(settings: try ObservabilitySupport.settings()))
        defer { try? FileManager.default.removeItem(at: folder) }
        guard
            let output = try await Self.check(
                "prometheus-blackbox-exporter", ["--config.check", "--config.file=prometheus/blackbox.yml"], in: folder)
        else { return }
        #expect(output.succeeded, "\(output.standardError)")
        #expect(output.standardError.contains("Config file is ok"))
    }

    /// Every delivery variant. Debian's amtool is 0.25, which predates `discord_configs.webhook_url_file` (0.28):
    /// with Discord on, the file itself is refused for exactly that field, and a copy with only that field replaced
    /// by an inline placeholder is what amtool checks and routes.
    @Test(
        "amtool check-config and config routes test",
        arguments: [
            ("", "", "blackhole", "blackhole"), ("https://discord.invalid/x", "", "discord", "discord"),
            ("", "ops@example.invalid", "email", "email"),
            ("https://discord.invalid/x", "ops@example.invalid", "discord", "discord-email"),
        ])
    func amtool(discord: String, email: String, warning: String, critical: String) async throws {
        let settings = try ObservabilitySupport.settings([
            "ALERT_DISCORD_WEBHOOK_URL": discord, "ALERT_EMAIL_TO": email,
            "ALERT_SMTP_SMARTHOST": "smtp.example.invalid:587", "ALERT_SMTP_FROM": "alerts@example.invalid",
            "ALERT_SMTP_USERNAME": "alerts@example.invalid", "ALERT_SMTP_PASSWORD": "pw-must-not-leak",
        ])
        let (folder, files) = try ObservabilitySupport.write(Stack(settings: settings))
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = TestSupportFiles.file(files, AlertmanagerRenderer.path)
        #expect(!original.contains("discord.invalid") && !original.contains("pw-must-not-leak"))
        guard let amtool = IntegrationSupport.tool("amtool") else { return }
        let path = "alertmanager/alertmanager.yml"
        let direct = try await IntegrationSupport.run(amtool, ["check-config", path], in: folder)
        if discord.isEmpty {
            #expect(direct.succeeded, "\(direct.standardOutput)\(direct.standardError)")
        } else if !direct.succeeded {
            #expect((direct.standardOutput + direct.standardError).contains("webhook_url_file"))
        }
        let compat = "alertmanager/alertmanager-0.25.yml"
        try ObservabilitySupport.alertmanager025Copy(original).write(
            to: folder.appendingPathComponent(compat), atomically: true, encoding: .utf8)
        let checked = try await IntegrationSupport.run(amtool, ["check-config", compat], in: folder)
        #expect(checked.succeeded, "\(checked.standardOutput)\(checked.standardError)")
        for (severity, receiver) in [("warning", warning), ("critical", critical)] {
            let routed = try await IntegrationSupport.run(
                amtool,
                [
                    "config", "routes", "test", "--config.file=\(compat)", "--verify.receivers=\(receiver)",
                    "severity=\(severity)", "alertname=ProbeFailed", "service=sonarr",
                ], in: folder)
            #expect(routed.succeeded, "\(severity) → \(receiver): \(routed.standardOutput)\(routed.standardError)")
        }
        // The check can fail: a wrong receiver is refused.
        let wrong = try await IntegrationSupport.run(
            amtool,
            ["config", "routes", "test", "--config.file=\(compat)", "--verify.receivers=nobody", "severity=critical"],
            in: folder)
        #expect(!wrong.succeeded)
    }

    @Test("every PromQL expression parses and uses only metrics the stack exports", arguments: variants.indices)
    func promql(_ variant: Int) async throws {
        let stack = Stack(settings: try ObservabilitySupport.settings(Self.variants[variant]))
        let (folder, files) = try ObservabilitySupport.write(stack)
        defer { try? FileManager.default.removeItem(at: folder) }
        let expressions = try ObservabilitySupport.expressions(files)
        #expect(expressions.count > 20)
        // Each expression becomes a recording rule in a group named after its location, so an error names it.
        let groups: [YAMLValue] = expressions.enumerated().map { index, expression in
            .map([
                ("name", .string(String(format: "%03d %@", index, expression.location))),
                (
                    "rules",
                    .list([
                        .map([
                            ("record", .string("promql_check:expr_\(index)")),
                            ("expr", .string(ObservabilitySupport.substituteGrafanaVariables(expression.expr))),
                        ])
                    ])
                ),
            ])
        }
        try YAMLValue.map([("groups", .list(groups))]).yaml().write(
            to: folder.appendingPathComponent("promql-check.yml"), atomically: true, encoding: .utf8)
        if let output = try await Self.check("promtool", ["check", "rules", "promql-check.yml"], in: folder) {
            #expect(output.succeeded, "\(output.standardOutput)\(output.standardError)")
            let text = output.standardOutput + output.standardError
            #expect(text.contains("SUCCESS: \(expressions.count) rules found"), "\(text)")
        }
        let known = Dictionary(uniqueKeysWithValues: ExportedMetric.all.map { ($0.name, $0) })
        for expression in expressions {
            for name in ObservabilitySupport.metricNames(expression.expr) {
                let metric = known[name]
                #expect(metric != nil, "\(expression.location) uses \(name), which no exporter of the stack exports")
                if let metric {
                    #expect(
                        stack.isEnabled(metric.exporter),
                        "\(expression.location) uses \(name) from \(metric.exporter), which is disabled")
                }
            }
        }
    }

    @Test func theMetricNameScannerFindsNamesAndOnlyNames() {
        #expect(
            ObservabilitySupport.metricNames(
                "100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{job=\"node\",mode=\"idle\"}[1m])))")
                == ["node_cpu_seconds_total"])
        #expect(
            ObservabilitySupport.metricNames("time() - mediaserver_backup_last_success_timestamp_seconds > 26 * 3600")
                == ["mediaserver_backup_last_success_timestamp_seconds"])
        #expect(
            ObservabilitySupport.metricNames("a{x=\"b\"} / b and on (instance, device) c == 0 unless 1e9")
                == ["a", "b", "c"])
    }
}

enum TestSupportFiles {
    static func file(_ files: [RenderedFile], _ path: String) -> String {
        files.first { $0.path == path }?.contents ?? ""
    }
}
