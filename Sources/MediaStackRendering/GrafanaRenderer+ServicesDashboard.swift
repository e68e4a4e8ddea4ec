import MediaStack

extension GrafanaRenderer {
    static func servicesAndBackups(_ stack: Stack) -> Dashboard {
        let probeJob = PrometheusRenderer.probeJob
        var panels: [Panel] = []
        let upDown = valueMappings([("0", "DOWN", "red"), ("1", "UP", "green")])
        let probes = PrometheusRenderer.probes(stack)
        for probe in probes {
            panels.append(
                panel(
                    "\(probe.service)",
                    [
                        Query(
                            expr: "probe_success{job=\"\(probeJob)\",service=\"\(probe.service)\"}",
                            legend: "\(probe.service)")
                    ], kind: .stat, width: 4, height: 4,
                    defaults: [thresholds([("red", nil), ("green", 1)]), upDown],
                    source: "\(probe.service) health probe \(probe.url)"))
        }
        if !probes.isEmpty {
            panels.append(
                panel(
                    "Probe duration",
                    [Query(expr: "probe_duration_seconds{job=\"\(probeJob)\"}", legend: "{{service}}")], unit: "s",
                    source: "every service's health probe"))
            panels.append(
                panel(
                    "Probe HTTP status",
                    [Query(expr: "probe_http_status_code{job=\"\(probeJob)\"}", legend: "{{service}}")], kind: .stat,
                    defaults: [thresholds([("red", nil), ("green", 200), ("orange", 300)])],
                    source: "every service's health probe"))
        }
        panels.append(
            panel(
                "Scrape targets up", [Query(expr: "up{job!=\"\(probeJob)\"}", legend: "{{job}} ({{service}})")],
                kind: .stat, defaults: [thresholds([("red", nil), ("green", 1)])],
                source: "every service's metrics endpoint"))
        panels.append(
            panel(
                "Firing alerts", [Query(expr: "ALERTS{alertstate=\"firing\"}", legend: "{{alertname}} {{service}}")],
                kind: .table, source: "prometheus/rules"))
        if stack.isEnabled(.borgmatic), stack.isEnabled(.nodeExporter) {
            let source = "borgmatic post-backup textfile via node_exporter"
            let maxAge = Double(AlertRulesRenderer.backupMaxAgeHours * 3600)
            panels += [
                panel(
                    "Last successful backup (age)",
                    [Query(expr: "time() - \(AlertRulesRenderer.backupSuccessMetric)", legend: "age")], kind: .stat,
                    unit: "s", width: 6, defaults: [thresholds([("green", nil), ("red", maxAge)])], source: source),
                panel(
                    "Last backup run",
                    [Query(expr: AlertRulesRenderer.backupStatusMetric, legend: "status")], kind: .stat, width: 6,
                    defaults: [
                        thresholds([("red", nil), ("green", 1)]),
                        valueMappings([("0", "FAILED", "red"), ("1", "OK", "green")]),
                    ], source: source),
                panel(
                    "Backup duration", [Query(expr: AlertRulesRenderer.backupDurationMetric, legend: "duration")],
                    kind: .stat, unit: "s", width: 6, source: source),
                panel(
                    "Backup repository size",
                    [Query(expr: AlertRulesRenderer.backupRepositorySizeMetric, legend: "size")], kind: .stat,
                    unit: "bytes", width: 6, source: source),
            ]
        }
        if let sab = PrometheusRenderer.scrapeTargets(stack).first(where: { $0.service == "sab_exporter" }) {
            let selector = "{job=\"\(sab.job)\"}"
            let source = "sab_exporter metrics endpoint (job \(sab.job))"
            panels += [
                panel(
                    "SABnzbd download speed", [Query(expr: "sabnzbd_speed_bps\(selector)", legend: "speed")],
                    unit: "Bps", source: source),
                panel(
                    "SABnzbd queue",
                    [
                        Query(expr: "sabnzbd_queue_length\(selector)", legend: "items"),
                        Query(expr: "sabnzbd_remaining_bytes\(selector)", legend: "bytes left"),
                    ], source: source),
            ]
        }
        return Dashboard(
            folder: "services", folderTitle: "Media server / Services & backups", uid: "mediaserver-services",
            title: "Media server / Services & backups", panels: panels)
    }
}
