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

    static func targets(_ stack: Stack) -> Group {
        let probeJob = PrometheusRenderer.probeJob
        var rules = [
            AlertRule(
                name: "TargetDown", expr: "up{job!=\"\(probeJob)\"} == 0", duration: "2m", severity: .critical,
                summary: "{{ $labels.service }} metrics endpoint is down",
                description: "Prometheus cannot scrape {{ $labels.instance }} (job {{ $labels.job }}) for 2 minutes.")
        ]
        let scrape = PrometheusRenderer.scrapeTargets(stack)
        var tests: [YAMLValue] = []
        if let down = scrape.last {
            var series = [TestSeries.make("up", labels(down), "1 1 0 0 0 0 0 0")]
            series += scrape.dropLast().map { TestSeries.make("up", labels($0), "1x7") }
            let probes = PrometheusRenderer.probes(stack)
            if let probe = probes.first {
                // A dead app keeps up{job="blackbox_http"} at 1; even a 0 there is ProbeFailed's business.
                series.append(
                    TestSeries.make(
                        "up", [("job", probeJob), ("instance", probe.url), ("service", probe.service.rawValue)], "0x7"))
            }
            tests.append(
                TestSeries.test(
                    "TargetDown fires after 2m for \(down.service), never for \(probeJob)", series,
                    [
                        TestSeries.check("1m", "TargetDown", []),
                        TestSeries.check("3m", "TargetDown", []),
                        TestSeries.check(
                            "6m", "TargetDown",
                            [
                                TestSeries.alert(
                                    [("severity", "critical")] + labels(down),
                                    summary: "\(down.service) metrics endpoint is down",
                                    description:
                                        "Prometheus cannot scrape \(down.address) (job \(down.job)) for 2 minutes.")
                            ]),
                    ]))
        }
        let probes = PrometheusRenderer.probes(stack)
        if let failing = probes.first {
            rules.append(
                AlertRule(
                    name: "ProbeFailed", expr: "probe_success{job=\"\(probeJob)\"} == 0", duration: "3m",
                    severity: .critical, summary: "{{ $labels.service }} health probe is failing",
                    description: "The blackbox probe of {{ $labels.instance }} has failed for 3 minutes."))
            func probeLabels(_ probe: PrometheusRenderer.BlackboxProbe) -> [(String, String)] {
                [("job", probeJob), ("instance", probe.url), ("service", probe.service.rawValue)]
            }
            var series = [TestSeries.make("probe_success", probeLabels(failing), "1 1 0 0 0 0 0 0 0")]
            if probes.count > 1 { series.append(TestSeries.make("probe_success", probeLabels(probes[1]), "1x8")) }
            if probes.count > 2 {
                // Flapping never stays down for 3m.
                series.append(TestSeries.make("probe_success", probeLabels(probes[2]), "1 0 1 0 1 0 1 0 1"))
            }
            tests.append(
                TestSeries.test(
                    "ProbeFailed fires after 3m of failed probes, only for the failing service", series,
                    [
                        TestSeries.check("1m", "ProbeFailed", []),
                        TestSeries.check("4m", "ProbeFailed", []),
                        TestSeries.check(
                            "7m", "ProbeFailed",
                            [
                                TestSeries.alert(
                                    [("severity", "critical")] + probeLabels(failing),
                                    summary: "\(failing.service) health probe is failing",
                                    description: "The blackbox probe of \(failing.url) has failed for 3 minutes.")
                            ]),
                    ]))
        }
        return Group(
            file: "targets", name: "mediaserver-targets", rules: rules, tests: tests,
            source: "up of every scrape job; probe_success of \(probeJob)")
    }

    static func host(_ stack: Stack, _ node: PrometheusRenderer.ScrapeTarget) -> Group {
        let job = node.job
        let watched = HostFilesystems.selector(stack.settings, job: job)
        let any = "{job=\"\(job)\"}"
        let rules = [
            AlertRule(
                name: "HostOutOfDiskSpace",
                expr: """
                    node_filesystem_avail_bytes\(watched) / node_filesystem_size_bytes\(any) < 0.10
                    and on (instance, device, mountpoint)
                    node_filesystem_readonly\(any) == 0
                    """,
                duration: "5m", severity: .critical, summary: "Filesystem {{ $labels.mountpoint }} is almost full",
                description:
                    "{{ $labels.mountpoint }} ({{ $labels.device }}) has {{ $value | humanizePercentage }} space left."
            ),
            AlertRule(
                name: "HostDiskWillFill",
                expr: """
                    predict_linear(node_filesystem_avail_bytes\(watched)[6h], 24 * 3600) < 0
                    and on (instance, device, mountpoint)
                    node_filesystem_avail_bytes\(any) / node_filesystem_size_bytes\(any) < 0.25
                    and on (instance, device, mountpoint)
                    node_filesystem_readonly\(any) == 0
                    """,
                duration: "30m", severity: .warning,
                summary: "Filesystem {{ $labels.mountpoint }} will fill within 24h",
                description: "At the write rate of the last 6h, {{ $labels.mountpoint }} ({{ $labels.device }})"
                    + " runs out of space within 24h."),
            AlertRule(
                name: "HostMemoryPressure",
                expr: "node_memory_MemAvailable_bytes\(any) / node_memory_MemTotal_bytes\(any) < 0.10",
                duration: "5m", severity: .warning, summary: "Host memory is under pressure",
                description: "Only {{ $value | humanizePercentage }} of memory is available on {{ $labels.instance }}."
            ),
        ]
        let settings = stack.settings
        let data = settings[.dataRoot]
        let config = settings[.configRoot]
        let backup = settings[.backupRoot]
        func filesystem(
            _ device: String, _ fstype: String, _ mountpoint: String, avail: String, size: String, readonly: String
        ) -> [YAMLValue] {
            let fsLabels = labels(node) + [("device", device), ("fstype", fstype), ("mountpoint", mountpoint)]
            return [
                TestSeries.make("node_filesystem_avail_bytes", fsLabels, avail),
                TestSeries.make("node_filesystem_size_bytes", fsLabels, size),
                TestSeries.make("node_filesystem_readonly", fsLabels, readonly),
            ]
        }
        let full =
            filesystem("/dev/sdb1", "ext4", data, avail: "5e9x10", size: "100e9x10", readonly: "0x10")
            + filesystem("/dev/sda2", "ext4", "/", avail: "50e9x10", size: "100e9x10", readonly: "0x10")
            // Full, but not a data, config or backup mount.
            + filesystem("/dev/sda1", "vfat", "/boot/efi", avail: "1e6x10", size: "500e6x10", readonly: "0x10")
            // Node Exporter never reports the /host prefix; the rule must not match it either.
            + filesystem("/dev/sdb2", "ext4", "/host\(data)", avail: "1e9x10", size: "100e9x10", readonly: "0x10")
            // Full but read-only.
            + filesystem("/dev/sdc1", "ext4", backup, avail: "1e9x10", size: "100e9x10", readonly: "1x10")
        let filling =
            // -1.2 GB/h with 24% free: fills within 24h.
            filesystem("/dev/sdb1", "fuse.mergerfs", data, avail: "24e9-2e7x480", size: "100e9x480", readonly: "0x480")
            // -6 GB/h, but 38% and more free (a burst of downloads): the 25% guard holds.
            + filesystem("/dev/sda2", "ext4", config, avail: "80e9-1e8x480", size: "100e9x480", readonly: "0x480")
            // Flat at 20% free.
            + filesystem("/dev/sdc1", "ext4", backup, avail: "20e9x480", size: "100e9x480", readonly: "0x480")
        let nodeLabels = labels(node)
        let tests = [
            TestSeries.test(
                "HostOutOfDiskSpace only on watched, writable mounts", full,
                [
                    TestSeries.check("3m", "HostOutOfDiskSpace", []),
                    TestSeries.check(
                        "10m", "HostOutOfDiskSpace",
                        [
                            TestSeries.alert(
                                [("severity", "critical")] + nodeLabels + [
                                    ("device", "/dev/sdb1"), ("fstype", "ext4"), ("mountpoint", data),
                                ],
                                summary: "Filesystem \(data) is almost full",
                                description: "\(data) (/dev/sdb1) has 5% space left.")
                        ]),
                ]),
            TestSeries.test(
                "HostDiskWillFill needs a 24h fill prediction and less than 25% free", filling,
                [
                    TestSeries.check("20m", "HostDiskWillFill", []),
                    TestSeries.check(
                        "7h", "HostDiskWillFill",
                        [
                            TestSeries.alert(
                                [("severity", "warning")] + nodeLabels + [
                                    ("device", "/dev/sdb1"), ("fstype", "fuse.mergerfs"), ("mountpoint", data),
                                ],
                                summary: "Filesystem \(data) will fill within 24h",
                                description:
                                    "At the write rate of the last 6h, \(data) (/dev/sdb1) runs out of space within 24h."
                            )
                        ]),
                ]),
            TestSeries.test(
                "HostMemoryPressure below 10% available for 5m",
                [
                    TestSeries.make("node_memory_MemAvailable_bytes", nodeLabels, "5e9 5e9 5e8x10"),
                    TestSeries.make("node_memory_MemTotal_bytes", nodeLabels, "1e10x12"),
                ],
                [
                    TestSeries.check("1m", "HostMemoryPressure", []),
                    TestSeries.check("5m", "HostMemoryPressure", []),
                    TestSeries.check(
                        "10m", "HostMemoryPressure",
                        [
                            TestSeries.alert(
                                [("severity", "warning")] + nodeLabels, summary: "Host memory is under pressure",
                                description: "Only 5% of memory is available on \(node.address).")
                        ]),
                ]),
        ]
        return Group(
            file: "host", name: "mediaserver-host", rules: rules, tests: tests,
            source:
                "Node Exporter (job \(job)); mount points / and the ancestors of DATA_ROOT, CONFIG_ROOT, BACKUP_ROOT"
        )
    }

    /// Start times per container name with every other label aggregated away. cAdvisor adds the Docker label
    /// `restartcount` once a container has restarted (google/cadvisor v0.60.5 container/docker/handler.go:
    /// `if ctnr.RestartCount > 0 { handler.labels["restartcount"] = … }`), so each restart starts a new series
    /// and `changes()` over any one series stays 0. The max over the name follows the newest start.
    public static func startTimeByName(_ job: String) -> String {
        "max by (name) (container_start_time_seconds{job=\"\(job)\",name!=\"\"})"
    }

    static func containers(_ cadvisor: PrometheusRenderer.ScrapeTarget) -> Group {
        let rules = [
            // No `for`: a restart is an event. A subquery at 1m steps lets changes() see the name's start time move.
            AlertRule(
                name: "ContainerRestarting", expr: "changes(\(startTimeByName(cadvisor.job))[15m:1m]) > 2",
                duration: nil, severity: .warning, summary: "Container {{ $labels.name }} is restarting",
                description: "Container {{ $labels.name }} restarted {{ $value }} times in 15 minutes.")
        ]
        let base = labels(cadvisor)
        let app = base + [("id", "/docker/abc"), ("image", "lscr.io/linuxserver/sonarr"), ("name", "restarting-app")]
        // As cAdvisor exports them: a restart keeps the container's id and name, adds restartcount=N, and the
        // previous series goes stale.
        let restarting = [
            TestSeries.make("container_start_time_seconds", app, "1000 1000 1000 stale"),
            TestSeries.make("container_start_time_seconds", app + [("restartcount", "1")], "_x3 1180 1180 stale"),
            TestSeries.make("container_start_time_seconds", app + [("restartcount", "2")], "_x5 1300 1300 stale"),
            TestSeries.make("container_start_time_seconds", app + [("restartcount", "3")], "_x7 1420x25"),
        ]
        let tests = [
            TestSeries.test(
                "ContainerRestarting on more than 2 restarts in 15m, each restart a new restartcount series",
                restarting + [
                    TestSeries.make(
                        "container_start_time_seconds", base + [("id", "/docker/def"), ("name", "steady-app")], "500x32"
                    ),
                    // A container that restarted once long ago carries restartcount=1 for good; it is steady.
                    TestSeries.make(
                        "container_start_time_seconds",
                        base + [("id", "/docker/ghi"), ("name", "once-app"), ("restartcount", "1")], "700x32"),
                    // cgroups without a container name (system slices) are ignored.
                    TestSeries.make(
                        "container_start_time_seconds", base + [("id", "/system.slice/foo.service"), ("name", "")],
                        "1 2 3 4 5 6 7 8 9 10x24"),
                ],
                [
                    TestSeries.check("5m", "ContainerRestarting", []),
                    TestSeries.check(
                        "10m", "ContainerRestarting",
                        [
                            TestSeries.alert(
                                [("name", "restarting-app"), ("severity", "warning")],
                                summary: "Container restarting-app is restarting",
                                description: "Container restarting-app restarted 3 times in 15 minutes.")
                        ]),
                    TestSeries.check("30m", "ContainerRestarting", []),
                ])
        ]
        return Group(
            file: "containers", name: "mediaserver-containers", rules: rules, tests: tests,
            source: "cAdvisor (job \(cadvisor.job))")
    }

    static func backup(_ node: PrometheusRenderer.ScrapeTarget) -> Group {
        let success = backupSuccessMetric
        let hours = backupMaxAgeHours
        let rules = [
            AlertRule(
                name: "BackupStale", expr: "time() - \(success) > \(hours) * 3600", duration: "5m",
                severity: .critical, summary: "Last successful backup is older than \(hours)h",
                description: "The last successful backup finished {{ $value | humanizeDuration }} ago."),
            AlertRule(
                name: "BackupFailed", expr: "\(backupStatusMetric) == 0", duration: "5m", severity: .warning,
                summary: "The last backup run failed",
                description: "borgmatic's last run failed; see `docker logs mediaserver-backup`."),
            // `absent_over_time` would fire on a fresh install before the first backup; `for` waits a day instead.
            AlertRule(
                name: "BackupMetricMissing", expr: "absent(\(success))", duration: "\(hours)h", severity: .critical,
                summary: "No backup success metric for \(hours)h",
                description: "\(success) has been absent for \(hours)h: no backup has succeeded since the textfile"
                    + " was created, or the textfile collector cannot read it."),
            AlertRule(
                name: "BackupTextfileError", expr: "node_textfile_scrape_error{job=\"\(node.job)\"} == 1",
                duration: "15m", severity: .warning, summary: "node_exporter cannot read the backup textfile",
                description: "The textfile collector on {{ $labels.instance }} reports an error reading *.prom files"
                    + " in /textfile."),
        ]
        let nodeLabels = labels(node)
        let tests = [
            TestSeries.test(
                "BackupStale when the last success is older than \(hours)h",
                [TestSeries.make(success, nodeLabels, "0x1700")],
                [
                    TestSeries.check("25h", "BackupStale", []),
                    TestSeries.check(
                        "27h", "BackupStale",
                        [
                            TestSeries.alert(
                                [("severity", "critical")] + nodeLabels,
                                summary: "Last successful backup is older than \(hours)h",
                                description: "The last successful backup finished 1d 3h 0m 0s ago.")
                        ]),
                    TestSeries.check("27h", "BackupMetricMissing", []),
                ]),
            TestSeries.test(
                "No BackupStale while a daily backup keeps the timestamp fresh",
                [TestSeries.make(success, nodeLabels, "0x1439 86400x300")],
                [TestSeries.check("27h", "BackupStale", [])]),
            TestSeries.test(
                "BackupFailed after a failed run, resolved by the next good one",
                [TestSeries.make(backupStatusMetric, nodeLabels, "1x4 0x20 1x10")],
                [
                    TestSeries.check("3m", "BackupFailed", []),
                    TestSeries.check(
                        "15m", "BackupFailed",
                        [
                            TestSeries.alert(
                                [("severity", "warning")] + nodeLabels, summary: "The last backup run failed",
                                description: "borgmatic's last run failed; see `docker logs mediaserver-backup`.")
                        ]),
                    TestSeries.check("30m", "BackupFailed", []),
                ]),
            TestSeries.test(
                "BackupMetricMissing when the metric is absent for \(hours)h",
                [TestSeries.make("up", nodeLabels, "1x1700")],
                [
                    TestSeries.check("25h", "BackupMetricMissing", []),
                    TestSeries.check(
                        "27h", "BackupMetricMissing",
                        [
                            TestSeries.alert(
                                [("severity", "critical")], summary: "No backup success metric for \(hours)h",
                                description: "\(success) has been absent for \(hours)h: no backup has succeeded since"
                                    + " the textfile was created, or the textfile collector cannot read it.")
                        ]),
                ]),
            TestSeries.test(
                "BackupTextfileError when Node Exporter cannot parse the textfile for 15m",
                [TestSeries.make("node_textfile_scrape_error", nodeLabels, "0x9 1x40")],
                [
                    TestSeries.check("5m", "BackupTextfileError", []),
                    TestSeries.check("20m", "BackupTextfileError", []),
                    TestSeries.check(
                        "40m", "BackupTextfileError",
                        [
                            TestSeries.alert(
                                [("severity", "warning")] + nodeLabels,
                                summary: "node_exporter cannot read the backup textfile",
                                description: "The textfile collector on \(node.address) reports an error reading"
                                    + " *.prom files in /textfile.")
                        ]),
                ]),
        ]
        return Group(
            file: "backup", name: "mediaserver-backup", rules: rules, tests: tests,
            source: "the backup post-hook's textfile metrics through Node Exporter (job \(node.job))")
    }
}

/// Builders for promtool unit-test documents.
enum TestSeries {
    static func make(_ metric: String, _ labels: [(String, String)], _ values: String) -> YAMLValue {
        let selector = labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
        return .map([("series", .string("\(metric){\(selector)}")), ("values", .string(values))])
    }

    static func test(_ name: String, _ series: [YAMLValue], _ checks: [YAMLValue]) -> YAMLValue {
        .map([
            ("name", .string(name)), ("interval", .string("1m")), ("input_series", .list(series)),
            ("alert_rule_test", .list(checks)),
        ])
    }

    static func check(_ time: String, _ alert: String, _ expected: [YAMLValue]) -> YAMLValue {
        .map([("eval_time", .string(time)), ("alertname", .string(alert)), ("exp_alerts", .list(expected))])
    }

    static func alert(_ labels: [(String, String)], summary: String, description: String) -> YAMLValue {
        .map([
            ("exp_labels", .map(labels.map { ($0.0, .string($0.1)) })),
            ("exp_annotations", .map([("summary", .string(summary)), ("description", .string(description))])),
        ])
    }
}
