import MediaStack

/// A metric name that a rule or dashboard may use, with the catalog service that exports it and how the name was
/// verified. The integration tests parse every expression of the rendered rules and dashboards and fail on a
/// metric name missing here; the live test checks the `live` ones against the real Debian exporters.
public struct ExportedMetric: Hashable, Sendable {
    public enum Verified: String, Sendable, Hashable {
        /// Seen in the live test (real Debian Prometheus, Node Exporter, Blackbox Exporter).
        case live
        /// Read in the exporter's source; the exporter does not run in the test suite.
        case source
    }

    public let name: String
    /// The service whose scrape delivers it (`prometheus` for series Prometheus makes itself).
    public let exporter: ServiceName
    public let verified: Verified
    public let note: String

    public init(_ name: String, _ exporter: ServiceName, _ verified: Verified, _ note: String = "") {
        self.name = name
        self.exporter = exporter
        self.verified = verified
        self.note = note
    }

    public static let all: [ExportedMetric] =
        [
            ExportedMetric("up", "prometheus", .live, "synthesised for every scrape"),
            ExportedMetric("ALERTS", "prometheus", .live, "synthesised for every pending or firing alert"),
        ]
        + exported(
            by: "blackbox_exporter", .live, ["probe_success", "probe_duration_seconds", "probe_http_status_code"])
        + exported(
            by: .nodeExporter, .live,
            [
                "node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes", "node_load1",
                "node_load5", "node_load15", "node_filesystem_avail_bytes", "node_filesystem_size_bytes",
                "node_filesystem_readonly", "node_disk_read_bytes_total", "node_disk_written_bytes_total",
                "node_network_receive_bytes_total", "node_network_transmit_bytes_total",
            ])
        + exported(by: .nodeExporter, .live, note: "textfile collector", ["node_textfile_scrape_error"])
        + exported(
            by: .nodeExporter, .live, note: "textfile written by backup/post-backup.sh",
            [
                AlertRulesRenderer.backupSuccessMetric, AlertRulesRenderer.backupStatusMetric,
                AlertRulesRenderer.backupDurationMetric, AlertRulesRenderer.backupRepositorySizeMetric,
            ])
        + exported(
            by: "cadvisor", .source, note: "google/cadvisor metrics/prometheus.go",
            [
                "container_cpu_usage_seconds_total", "container_memory_working_set_bytes",
                "container_network_receive_bytes_total", "container_network_transmit_bytes_total",
                "container_start_time_seconds",
            ])
        + exported(
            by: "sab_exporter", .source, note: "onedr0p/exportarr internal/sabnzbd/collector/collector.go",
            ["sabnzbd_speed_bps", "sabnzbd_queue_length", "sabnzbd_remaining_bytes"])

    /// Metrics of one exporter, verified the same way and with the same note.
    static func exported(
        by exporter: ServiceName, _ verified: Verified, note: String = "", _ names: [String]
    ) -> [ExportedMetric] {
        names.map { ExportedMetric($0, exporter, verified, note) }
    }
}
