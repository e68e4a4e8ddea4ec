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

    public static let all: [ExportedMetric] = [
        ExportedMetric("up", "prometheus", .live, "synthesised for every scrape"),
        ExportedMetric("ALERTS", "prometheus", .live, "synthesised for every pending or firing alert"),
        ExportedMetric("probe_success", "blackbox_exporter", .live),
        ExportedMetric("probe_duration_seconds", "blackbox_exporter", .live),
        ExportedMetric("probe_http_status_code", "blackbox_exporter", .live),
        ExportedMetric("node_cpu_seconds_total", "node_exporter", .live),
        ExportedMetric("node_memory_MemAvailable_bytes", "node_exporter", .live),
        ExportedMetric("node_memory_MemTotal_bytes", "node_exporter", .live),
        ExportedMetric("node_load1", "node_exporter", .live),
        ExportedMetric("node_load5", "node_exporter", .live),
        ExportedMetric("node_load15", "node_exporter", .live),
        ExportedMetric("node_filesystem_avail_bytes", "node_exporter", .live),
        ExportedMetric("node_filesystem_size_bytes", "node_exporter", .live),
        ExportedMetric("node_filesystem_readonly", "node_exporter", .live),
        ExportedMetric("node_disk_read_bytes_total", "node_exporter", .live),
        ExportedMetric("node_disk_written_bytes_total", "node_exporter", .live),
        ExportedMetric("node_network_receive_bytes_total", "node_exporter", .live),
        ExportedMetric("node_network_transmit_bytes_total", "node_exporter", .live),
        ExportedMetric("node_textfile_scrape_error", "node_exporter", .live, "textfile collector"),
        ExportedMetric(
            "mediaserver_backup_last_success_timestamp_seconds", "node_exporter", .live,
            "textfile written by backup/post-backup.sh"),
        ExportedMetric(
            "mediaserver_backup_last_status", "node_exporter", .live, "textfile written by backup/post-backup.sh"),
        ExportedMetric(
            "mediaserver_backup_duration_seconds", "node_exporter", .live, "textfile written by backup/post-backup.sh"),
        ExportedMetric(
            "mediaserver_backup_repository_size_bytes", "node_exporter", .live,
            "textfile written by backup/post-backup.sh"),
        ExportedMetric(
            "container_cpu_usage_seconds_total", "cadvisor", .source, "google/cadvisor metrics/prometheus.go"),
        ExportedMetric(
            "container_memory_working_set_bytes", "cadvisor", .source, "google/cadvisor metrics/prometheus.go"),
        ExportedMetric(
            "container_network_receive_bytes_total", "cadvisor", .source, "google/cadvisor metrics/prometheus.go"),
        ExportedMetric(
            "container_network_transmit_bytes_total", "cadvisor", .source, "google/cadvisor metrics/prometheus.go"),
        ExportedMetric("container_start_time_seconds", "cadvisor", .source, "google/cadvisor metrics/prometheus.go"),
        ExportedMetric(
            "sabnzbd_speed_bps", "sab_exporter", .source, "onedr0p/exportarr internal/sabnzbd/collector/collector.go"),
        ExportedMetric(
            "sabnzbd_queue_length", "sab_exporter", .source,
            "onedr0p/exportarr internal/sabnzbd/collector/collector.go"),
        ExportedMetric(
            "sabnzbd_remaining_bytes", "sab_exporter", .source,
            "onedr0p/exportarr internal/sabnzbd/collector/collector.go"),
    ]
}
