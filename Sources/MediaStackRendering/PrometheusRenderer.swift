import MediaStack

/// Renders `prometheus/prometheus.yml`: one scrape job per enabled service that declares a metrics endpoint, and a
/// `blackbox_http` job with one target per enabled service's HTTP health probe (the catalog's `HealthProbe`, the
/// same value that drives the Compose healthcheck and `mediaserver health`). Every target carries a `service`
/// label. Nothing is rendered when Prometheus is disabled.
///
/// Only fields that both the pinned Prometheus (v3) and Debian's promtool 2.42 understand are written.
public struct PrometheusRenderer: Sendable {
    public static let path = "prometheus/prometheus.yml"
    /// The job of the blackbox probes; its `up` only says whether Blackbox answered, `probe_success` is the app.
    public static let probeJob = "blackbox_http"
    /// The Blackbox module every probe uses (rendered in `prometheus/blackbox.yml`).
    public static let probeModule = "http_2xx"
    /// How a container reaches a service on the host network (Plex); `extra_hosts` maps it to the host gateway.
    public static let hostGateway = "host.docker.internal"
    public static let scrapeInterval = "30s"
    public static let evaluationInterval = "30s"

    public init() {}

    /// One scrape target: `<service>:<port>` on media_net.
    public struct ScrapeTarget: Hashable, Sendable {
        public let job: String
        public let service: ServiceName
        public let host: String
        public let port: Port
        public let path: String
        public var address: String { "\(host):\(port)" }
    }

    /// One Blackbox HTTP probe of a service's health endpoint.
    public struct BlackboxProbe: Hashable, Sendable {
        public let service: ServiceName
        public let host: String
        public let port: Port
        public let path: String
        public var url: String { "http://\(host):\(port)\(path)" }
    }

    /// The host name other containers use for `service`.
    public static func host(of service: Service) -> String {
        service.usesHostNetwork ? hostGateway : service.name.rawValue
    }

    /// The scrape jobs of the enabled services, in catalog order.
    public static func scrapeTargets(_ stack: Stack) -> [ScrapeTarget] {
        stack.services.compactMap { service in
            guard let metrics = service.metrics else { return nil }
            return ScrapeTarget(
                job: metrics.job, service: service.name, host: host(of: service), port: metrics.port,
                path: metrics.path)
        }
    }

    /// The HTTP health probes of the enabled services, in catalog order (none without Blackbox).
    public static func probes(_ stack: Stack) -> [BlackboxProbe] {
        guard stack.isEnabled(blackbox) else { return [] }
        return stack.services.compactMap { service in
            guard let http = service.health?.http else { return nil }
            return BlackboxProbe(service: service.name, host: host(of: service), port: http.port, path: http.path)
        }
    }

    static let blackbox: ServiceName = .blackboxExporter

    /// The job name a service's metrics are scraped under, if it is enabled and has metrics.
    public static func job(of name: ServiceName, in stack: Stack) -> String? { stack.service(name)?.metrics?.job }

    public func render(_ stack: Stack) throws -> RenderedFile? {
        guard stack.isEnabled(.prometheus) else { return nil }
        var root: [(String, YAMLValue)] = [
            (
                "global",
                .map([
                    ("scrape_interval", .string(Self.scrapeInterval)),
                    ("evaluation_interval", .string(Self.evaluationInterval)),
                    ("scrape_timeout", .string("10s")),
                ])
            ),
            // Relative to this file's directory: /etc/prometheus/rules in the container. rules/tests/ is not loaded.
            ("rule_files", .list([.string("rules/*.yml")])),
        ]
        if let alertmanager = stack.service(.alertmanager), let metrics = alertmanager.metrics {
            root.append(
                (
                    "alerting",
                    .map([
                        (
                            "alertmanagers",
                            .list([
                                .map([
                                    (
                                        "static_configs",
                                        .list([
                                            .map([("targets", .list([.string("\(alertmanager.name):\(metrics.port)")]))]
                                            )
                                        ])
                                    )
                                ])
                            ])
                        )
                    ])
                ))
        }
        var jobs: [YAMLValue] = Self.scrapeTargets(stack).map { target in
            var job: [(String, YAMLValue)] = [("job_name", .string(target.job))]
            if target.path != "/metrics" { job.append(("metrics_path", .string(target.path))) }
            job.append(("static_configs", .list([Self.staticConfig(target.address, target.service)])))
            return .map(job)
        }
        let probes = Self.probes(stack)
        if let blackbox = stack.service(Self.blackbox), let metrics = blackbox.metrics, !probes.isEmpty {
            jobs.append(
                .map([
                    ("job_name", .string(Self.probeJob)),
                    ("metrics_path", .string("/probe")),
                    ("params", .map([("module", .list([.string(Self.probeModule)]))])),
                    ("static_configs", .list(probes.map { Self.staticConfig($0.url, $0.service) })),
                    (
                        "relabel_configs",
                        .list([
                            .map([
                                ("source_labels", .flowList(["__address__"])),
                                ("target_label", .string("__param_target")),
                            ]),
                            .map([
                                ("source_labels", .flowList(["__param_target"])),
                                ("target_label", .string("instance")),
                            ]),
                            .map([
                                ("target_label", .string("__address__")),
                                ("replacement", .string("\(blackbox.name):\(metrics.port)")),
                            ]),
                        ])
                    ),
                ]))
        }
        root.append(("scrape_configs", .list(jobs)))
        let header =
            RenderHeader.lines + [
                "Mounted at /etc/prometheus. Jobs: every catalog service with a metrics endpoint; blackbox_http: every",
                "service's HTTP health probe. Check: promtool check config prometheus/prometheus.yml",
            ]
        return RenderedFile(path: Self.path, contents: try YAMLValue.map(root).yaml(header: header))
    }

    static func staticConfig(_ target: String, _ service: ServiceName) -> YAMLValue {
        .map([
            ("targets", .list([.string(target)])),
            ("labels", .map([("service", .string(service.rawValue))])),
        ])
    }
}
