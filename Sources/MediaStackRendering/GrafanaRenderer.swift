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

    /// Value mappings: each (value, text, colour) shows the value as the text on that colour.
    static func valueMappings(_ mappings: [(value: String, text: String, color: String)]) -> (String, JSONValue) {
        let options = mappings.map {
            ($0.value, JSONValue.object([("text", .string($0.text)), ("color", .string($0.color))]))
        }
        return ("mappings", .array([.object([("type", .string("value")), ("options", .object(options))])]))
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
}
