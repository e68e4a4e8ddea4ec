import MediaStack

extension GrafanaRenderer {
    static func containers(job: String) -> Dashboard {
        let selector = "{job=\"\(job)\",name!=\"\"}"
        let source = "cadvisor metrics endpoint (job \(job))"
        let rate = rateInterval
        return Dashboard(
            folder: "containers", folderTitle: "Media server / Containers", uid: "mediaserver-containers",
            title: "Media server / Containers",
            panels: [
                panel(
                    "CPU per container",
                    [
                        Query(
                            expr: "sum by (name) (rate(container_cpu_usage_seconds_total\(selector)[\(rate)]))",
                            legend: "{{name}}")
                    ], unit: "percentunit", source: source),
                panel(
                    "Memory working set",
                    [Query(expr: "sum by (name) (container_memory_working_set_bytes\(selector))", legend: "{{name}}")],
                    unit: "bytes", source: source),
                panel(
                    "Network receive",
                    [
                        Query(
                            expr: "sum by (name) (rate(container_network_receive_bytes_total\(selector)[\(rate)]))",
                            legend: "{{name}}")
                    ], unit: "Bps", source: source),
                panel(
                    "Network transmit",
                    [
                        Query(
                            expr: "sum by (name) (rate(container_network_transmit_bytes_total\(selector)[\(rate)]))",
                            legend: "{{name}}")
                    ], unit: "Bps", source: source),
                panel(
                    "Restarts (last hour)",
                    // Per name, not per series: each restart is a new series (restartcount label); see the alert rule.
                    [
                        Query(
                            expr: "changes(\(AlertRulesRenderer.startTimeByName(job))[1h:1m])", legend: "{{name}}")
                    ],
                    kind: .stat, width: 24, defaults: [thresholds([("green", nil), ("orange", 1), ("red", 3)])],
                    source: source),
            ])
    }
}
