import MediaStack

/// Renders Grafana's provisioning: the Prometheus datasource (uid `prometheus`), one dashboard provider per
/// folder, and the dashboards, generated from the catalog: host (Node Exporter), containers (cAdvisor), and
/// services & backups (one probe panel per probed service, backup age, SABnzbd). A dashboard whose exporter is
/// disabled is not rendered; nothing is rendered when Grafana or Prometheus is disabled.
public struct GrafanaRenderer: Sendable {
    public static let datasourcePath = "grafana/provisioning/datasources/prometheus.yaml"
    public static let providersPath = "grafana/provisioning/dashboards/mediaserver.yaml"
    public static let dashboardsFolder = "grafana/dashboards"
    /// Where compose mounts `grafana/dashboards` in the container.
    public static let containerDashboards = "/var/lib/grafana/dashboards"
    public static let datasourceUID = "prometheus"

    public init() {}

    /// One panel query.
    public struct Query: Hashable, Sendable {
        public let expr: String
        public let legend: String
    }

    /// One panel of a dashboard.
    public struct Panel: Sendable {
        public enum Kind: String, Sendable { case timeseries, stat, table }
        public let title: String
        public let kind: Kind
        public let unit: String
        public let queries: [Query]
        public let width: Int
        public let height: Int
        public let defaults: [(String, JSONValue)]
        /// The catalog fact the panel comes from, for docs/observability.md.
        public let source: String
    }

    /// One dashboard, in its own folder.
    public struct Dashboard: Sendable {
        public let folder: String
        public let folderTitle: String
        public let uid: String
        public let title: String
        public let panels: [Panel]

        public var path: String { "\(GrafanaRenderer.dashboardsFolder)/\(folder)/\(folder).json" }
    }

    public func render(_ stack: Stack) throws -> [RenderedFile] {
        guard stack.isEnabled(.grafana), let prometheus = stack.service(.prometheus),
            let port = prometheus.metrics?.port
        else { return [] }
        let source = stack.settings.source
        let datasource: YAMLValue = .map([
            ("apiVersion", .int(1)),
            ("prune", .bool(true)),
            (
                "datasources",
                .list([
                    .map([
                        ("name", .string("Prometheus")),
                        ("type", .string("prometheus")),
                        ("uid", .string(Self.datasourceUID)),
                        ("access", .string("proxy")),
                        ("url", .string("http://\(prometheus.name):\(port)")),
                        ("isDefault", .bool(true)),
                        ("editable", .bool(false)),
                        (
                            "jsonData",
                            .map([
                                ("httpMethod", .string("POST")),
                                ("timeInterval", .string(PrometheusRenderer.scrapeInterval)),
                            ])
                        ),
                    ])
                ])
            ),
        ])
        var files = [
            RenderedFile(
                path: Self.datasourcePath,
                contents: try datasource.yaml(
                    header: RenderHeader.lines + [
                        "Mounted at /etc/grafana/provisioning/datasources. Dashboards refer to uid \(Self.datasourceUID)."
                    ]))
        ]
        let dashboards = Self.dashboards(stack)
        let providers: [YAMLValue] = dashboards.map { dashboard in
            .map([
                ("name", .string("mediaserver-\(dashboard.folder)")),
                ("orgId", .int(1)),
                ("type", .string("file")),
                ("folder", .string(dashboard.folderTitle)),
                ("folderUid", .string("mediaserver-\(dashboard.folder)")),
                ("disableDeletion", .bool(true)),
                ("allowUiUpdates", .bool(false)),
                ("updateIntervalSeconds", .int(60)),
                ("options", .map([("path", .string("\(Self.containerDashboards)/\(dashboard.folder)"))])),
            ])
        }
        files.append(
            RenderedFile(
                path: Self.providersPath,
                contents: try YAMLValue.map([("apiVersion", .int(1)), ("providers", .list(providers))]).yaml(
                    header: RenderHeader.lines + [
                        "One provider per folder, with a fixed folder uid. The JSON lives in grafana/dashboards/<folder>/,",
                        "mounted read-only at \(Self.containerDashboards).",
                    ])))
        for dashboard in dashboards {
            files.append(RenderedFile(path: dashboard.path, contents: Self.json(dashboard).text()))
        }
        return files
    }

    // MARK: - Dashboards from the catalog

    static let rateInterval = "$__rate_interval"

    public static func dashboards(_ stack: Stack) -> [Dashboard] {
        guard stack.isEnabled(.grafana), stack.isEnabled(.prometheus) else { return [] }
        let targets = PrometheusRenderer.scrapeTargets(stack)
        var dashboards: [Dashboard] = []
        if let node = targets.first(where: { $0.service == .nodeExporter }) {
            dashboards.append(host(stack, job: node.job))
        }
        if let cadvisor = targets.first(where: { $0.service == "cadvisor" }) {
            dashboards.append(containers(job: cadvisor.job))
        }
        let services = servicesAndBackups(stack)
        if !services.panels.isEmpty { dashboards.append(services) }
        return dashboards
    }

    static func panel(
        _ title: String, _ queries: [Query], kind: Panel.Kind = .timeseries, unit: String = "short", width: Int = 12,
        height: Int = 8, defaults: [(String, JSONValue)] = [], source: String
    ) -> Panel {
        Panel(
            title: title, kind: kind, unit: unit, queries: queries, width: width, height: height, defaults: defaults,
            source: source)
    }

    static func thresholds(_ steps: [(String, Double?)]) -> (String, JSONValue) {
        (
            "thresholds",
            .object([
                ("mode", .string("absolute")),
                (
                    "steps",
                    .array(
                        steps.map { .object([("color", .string($0.0)), ("value", $0.1.map { .double($0) } ?? .null)]) })
                ),
            ])
        )
    }

    static func host(_ stack: Stack, job: String) -> Dashboard {
        let any = "{job=\"\(job)\"}"
        let watched = HostFilesystems.selector(stack.settings, job: job)
        let nic = "{job=\"\(job)\",device!=\"lo\"}"
        let source = "node_exporter metrics endpoint (job \(job))"
        let rate = rateInterval
        return Dashboard(
            folder: "host", folderTitle: "Media server / Host", uid: "mediaserver-host", title: "Media server / Host",
            panels: [
                panel(
                    "CPU busy",
                    [
                        Query(
                            expr:
                                "100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{job=\"\(job)\",mode=\"idle\"}[\(rate)])))",
                            legend: "{{instance}}")
                    ], unit: "percent", source: source),
                panel(
                    "Memory available",
                    [
                        Query(
                            expr: "100 * node_memory_MemAvailable_bytes\(any) / node_memory_MemTotal_bytes\(any)",
                            legend: "{{instance}}")
                    ], unit: "percent", source: source),
                panel(
                    "Load average",
                    [
                        Query(expr: "node_load1\(any)", legend: "1m"), Query(expr: "node_load5\(any)", legend: "5m"),
                        Query(expr: "node_load15\(any)", legend: "15m"),
                    ], source: source),
                panel(
                    "Disk used (data, config, backup mounts)",
                    [
                        Query(
                            expr:
                                "100 * (1 - node_filesystem_avail_bytes\(watched) / node_filesystem_size_bytes\(any))",
                            legend: "{{mountpoint}}")
                    ], unit: "percent", source: "\(source); DATA_ROOT, CONFIG_ROOT, BACKUP_ROOT"),
                panel(
                    "Disk space available",
                    [Query(expr: "node_filesystem_avail_bytes\(watched)", legend: "{{mountpoint}}")], unit: "bytes",
                    source: "\(source); DATA_ROOT, CONFIG_ROOT, BACKUP_ROOT"),
                panel(
                    "Disk I/O",
                    [
                        Query(
                            expr: "sum by (device) (rate(node_disk_read_bytes_total\(any)[\(rate)]))",
                            legend: "read {{device}}"),
                        Query(
                            expr: "sum by (device) (rate(node_disk_written_bytes_total\(any)[\(rate)]))",
                            legend: "write {{device}}"),
                    ], unit: "Bps", source: source),
                panel(
                    "Network",
                    [
                        Query(
                            expr: "sum by (device) (rate(node_network_receive_bytes_total\(nic)[\(rate)]))",
                            legend: "rx {{device}}"),
                        Query(
                            expr: "sum by (device) (rate(node_network_transmit_bytes_total\(nic)[\(rate)]))",
                            legend: "tx {{device}}"),
                    ], unit: "Bps", width: 24, source: source),
            ])
    }

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

    static func servicesAndBackups(_ stack: Stack) -> Dashboard {
        let probeJob = PrometheusRenderer.probeJob
        var panels: [Panel] = []
        let upDown: (String, JSONValue) = (
            "mappings",
            .array([
                .object([
                    ("type", .string("value")),
                    (
                        "options",
                        .object([
                            ("0", .object([("text", .string("DOWN")), ("color", .string("red"))])),
                            ("1", .object([("text", .string("UP")), ("color", .string("green"))])),
                        ])
                    ),
                ])
            ])
        )
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
                        (
                            "mappings",
                            .array([
                                .object([
                                    ("type", .string("value")),
                                    (
                                        "options",
                                        .object([
                                            ("0", .object([("text", .string("FAILED")), ("color", .string("red"))])),
                                            ("1", .object([("text", .string("OK")), ("color", .string("green"))])),
                                        ])
                                    ),
                                ])
                            ])
                        ),
                    ], source: source),
                panel(
                    "Backup duration", [Query(expr: "mediaserver_backup_duration_seconds", legend: "duration")],
                    kind: .stat, unit: "s", width: 6, source: source),
                panel(
                    "Backup repository size",
                    [Query(expr: "mediaserver_backup_repository_size_bytes", legend: "size")], kind: .stat,
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

    // MARK: - JSON

    static func json(_ dashboard: Dashboard) -> JSONValue {
        let datasource: JSONValue = .object([("type", .string("prometheus")), ("uid", .string(datasourceUID))])
        var x = 0
        var y = 0
        var rowHeight = 0
        var panels: [JSONValue] = []
        for (index, panel) in dashboard.panels.enumerated() {
            if x + panel.width > 24 {
                x = 0
                y += rowHeight
                rowHeight = 0
            }
            let instant = panel.kind != .timeseries
            let targets: [JSONValue] = panel.queries.enumerated().map { offset, query in
                .object([
                    ("refId", .string(String(UnicodeScalar(UInt8(65 + offset))))),
                    ("datasource", datasource),
                    ("expr", .string(query.expr)),
                    ("legendFormat", .string(query.legend)),
                    ("range", .bool(!instant)),
                    ("instant", .bool(instant)),
                ])
            }
            let options: JSONValue =
                switch panel.kind {
                case .timeseries:
                    .object([
                        ("legend", .object([("displayMode", .string("list")), ("placement", .string("bottom"))])),
                        ("tooltip", .object([("mode", .string("multi"))])),
                    ])
                case .stat:
                    .object([
                        (
                            "reduceOptions",
                            .object([
                                ("calcs", .array([.string("lastNotNull")])), ("fields", .string("")),
                                ("values", .bool(false)),
                            ])
                        ),
                        ("colorMode", .string("background")),
                        ("graphMode", .string("none")),
                        ("textMode", .string("value_and_name")),
                    ])
                case .table: .object([])
                }
            panels.append(
                .object([
                    ("id", .int(index + 1)),
                    ("type", .string(panel.kind.rawValue)),
                    ("title", .string(panel.title)),
                    ("datasource", datasource),
                    (
                        "gridPos",
                        .object([
                            ("h", .int(panel.height)), ("w", .int(panel.width)), ("x", .int(x)), ("y", .int(y)),
                        ])
                    ),
                    (
                        "fieldConfig",
                        .object([
                            ("defaults", .object([("unit", .string(panel.unit))] + panel.defaults)),
                            ("overrides", .array([])),
                        ])
                    ),
                    ("options", options),
                    ("targets", .array(targets)),
                ]))
            x += panel.width
            rowHeight = max(rowHeight, panel.height)
        }
        return .object([
            ("uid", .string(dashboard.uid)),
            ("title", .string(dashboard.title)),
            ("description", .string("Generated by `mediaserver render` from the service catalog; do not edit.")),
            ("tags", .array([.string("mediaserver")])),
            ("timezone", .string("browser")),
            ("schemaVersion", .int(39)),
            ("version", .int(1)),
            ("editable", .bool(false)),
            ("graphTooltip", .int(1)),
            ("time", .object([("from", .string("now-24h")), ("to", .string("now"))])),
            ("refresh", .string("1m")),
            ("templating", .object([("list", .array([]))])),
            ("annotations", .object([("list", .array([]))])),
            ("links", .array([])),
            ("panels", .array(panels)),
        ])
    }
}
