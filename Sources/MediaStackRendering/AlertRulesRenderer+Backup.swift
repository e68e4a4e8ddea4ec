import MediaStack

extension AlertRulesRenderer {
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
                    + " in \(Catalog.textfileDirectory)."),
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
                                    + " *.prom files in \(Catalog.textfileDirectory).")
                        ]),
                ]),
        ]
        return Group(
            file: "backup", name: "mediaserver-backup", rules: rules, tests: tests,
            source: "the backup post-hook's textfile metrics through Node Exporter (job \(node.job))")
    }
}
