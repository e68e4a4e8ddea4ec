import MediaStack

extension GrafanaRenderer {
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
}
