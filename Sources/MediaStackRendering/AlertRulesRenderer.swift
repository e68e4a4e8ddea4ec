import MediaStack

/// Renders the alert rules (`prometheus/rules/<group>.yml`) and their promtool unit tests
/// (`prometheus/rules/tests/<group>_test.yml`, run with `promtool test rules`; `rules/*.yml` does not load them).
///
/// A group is rendered only when the services whose metrics it reads are enabled: host rules need Node Exporter,
/// container rules cAdvisor, probe rules Blackbox, backup rules Node Exporter (textfile collector) and borgmatic.
public struct AlertRulesRenderer: Sendable {
    public static let folder = "prometheus/rules"

    /// The metric the backup's post-hook writes to Node Exporter's textfile directory
    /// (`${CONFIG_ROOT}/node_exporter/textfile/mediaserver_backup.prom`, mounted at /textfile).
    public static let backupSuccessMetric = "mediaserver_backup_last_success_timestamp_seconds"
    public static let backupStatusMetric = "mediaserver_backup_last_status"
    public static let backupDurationMetric = "mediaserver_backup_duration_seconds"
    public static let backupRepositorySizeMetric = "mediaserver_backup_repository_size_bytes"
    /// Hours without a successful backup before BackupStale fires: a daily backup plus two hours of slack.
    public static let backupMaxAgeHours = 26

    public init() {}

    public enum Severity: String, Sendable, Hashable {
        case critical, warning
    }

    /// One alerting rule.
    public struct AlertRule: Hashable, Sendable {
        public let name: String
        public let expr: String
        public let duration: String?
        public let severity: Severity
        public let summary: String
        public let description: String
    }

    /// One rules file: a group and the unit tests that show each of its rules firing and not firing.
    public struct Group: Sendable {
        public let file: String
        public let name: String
        public let rules: [AlertRule]
        public let tests: [YAMLValue]
        /// What the group reads, for docs/observability.md.
        public let source: String

        public var path: String { "\(AlertRulesRenderer.folder)/\(file).yml" }
        public var testPath: String { "\(AlertRulesRenderer.folder)/tests/\(file)_test.yml" }
    }

    public func render(_ stack: Stack) throws -> [RenderedFile] {
        guard stack.isEnabled(.prometheus) else { return [] }
        var files: [RenderedFile] = []
        for group in Self.groups(stack) {
            let rules: [YAMLValue] = group.rules.map { rule in
                var pairs: [(String, YAMLValue)] = [("alert", .string(rule.name)), ("expr", .string(rule.expr))]
                if let duration = rule.duration { pairs.append(("for", .string(duration))) }
                pairs += [
                    ("labels", .map([("severity", .string(rule.severity.rawValue))])),
                    (
                        "annotations",
                        .map([("summary", .string(rule.summary)), ("description", .string(rule.description))])
                    ),
                ]
                return .map(pairs)
            }
            let document: YAMLValue = .map([
                ("groups", .list([.map([("name", .string(group.name)), ("rules", .list(rules))])]))
            ])
            let header =
                RenderHeader.lines + [
                    "Reads: \(group.source). Loaded by Prometheus from /etc/prometheus/rules.",
                    "Check: promtool check rules \(group.path); promtool test rules \(group.testPath)",
                ]
            files.append(RenderedFile(path: group.path, contents: try document.yaml(header: header)))
            let tests: YAMLValue = .map([
                ("rule_files", .list([.string("../\(group.file).yml")])),
                ("evaluation_interval", .string("1m")),
                ("tests", .list(group.tests)),
            ])
            let testHeader =
                RenderHeader.lines + [
                    "Each rule fires and does not fire here. Samples are 1m apart: sparser ones fall out of the 5m",
                    "lookback and reset `for`. Run: promtool test rules \(group.testPath)",
                ]
            files.append(RenderedFile(path: group.testPath, contents: try tests.yaml(header: testHeader)))
        }
        return files
    }

    // MARK: - Groups

    public static func groups(_ stack: Stack) -> [Group] {
        guard stack.isEnabled(.prometheus) else { return [] }
        var groups = [targets(stack)]
        if let node = PrometheusRenderer.scrapeTargets(stack).first(where: { $0.service == .nodeExporter }) {
            groups.append(host(stack, node))
            if stack.isEnabled(.borgmatic) { groups.append(backup(node)) }
        }
        if let cadvisor = PrometheusRenderer.scrapeTargets(stack).first(where: { $0.service == "cadvisor" }) {
            groups.append(containers(cadvisor))
        }
        return groups
    }

    static func labels(_ target: PrometheusRenderer.ScrapeTarget) -> [(String, String)] {
        [("job", target.job), ("instance", target.address), ("service", target.service.rawValue)]
    }
}
