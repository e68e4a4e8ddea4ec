import MediaStack

/// Renders `prometheus/blackbox.yml`: the one module the health probes use. Valid for Blackbox 0.23 (Debian,
/// `--config.check`) and the pinned image.
public struct BlackboxRenderer: Sendable {
    public static let path = "prometheus/blackbox.yml"

    public init() {}

    public func render(_ stack: Stack) throws -> RenderedFile? {
        guard stack.isEnabled(.blackboxExporter) else { return nil }
        let module: YAMLValue = .map([
            ("prober", .string("http")),
            // Below the 10s scrape timeout, so a hung app reads as a failed probe, not a failed scrape.
            ("timeout", .string("5s")),
            (
                "http",
                .map([
                    ("method", .string("GET")),
                    // Empty: any 2xx. Every catalog probe path answers 200 when healthy.
                    ("valid_status_codes", .list([])),
                    // media_net is IPv4-only.
                    ("preferred_ip_protocol", .string("ip4")),
                    ("ip_protocol_fallback", .bool(true)),
                    ("follow_redirects", .bool(true)),
                ])
            ),
        ])
        let root: YAMLValue = .map([("modules", .map([(PrometheusRenderer.probeModule, module)]))])
        let header =
            RenderHeader.lines + [
                "Mounted at /etc/blackbox_exporter/config.yml.",
                "Check: prometheus-blackbox-exporter --config.check --config.file=prometheus/blackbox.yml",
            ]
        return RenderedFile(path: Self.path, contents: try root.yaml(header: header))
    }
}
