import MediaStack

extension AlertRulesRenderer {
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
}
