import MediaStack

extension AlertRulesRenderer {
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
}
