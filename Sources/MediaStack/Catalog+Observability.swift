import Foundation

extension Catalog {
    /// The folder under `${CONFIG_ROOT}` that holds the textfile metrics: the backup containers write theirs there,
    /// and node_exporter reads it at ``textfileDirectory``.
    public static let textfileFolder = "node_exporter/textfile"
    /// Where node_exporter reads the textfile metrics inside its container (`--collector.textfile.directory`).
    public static let textfileDirectory = "/textfile"

    /// Metrics, alerts, dashboards and the exporters they read (homepage-stack.yml).
    static let observability: [Service] = [
        Service(
            "prometheus", stack: .dashboard,
            summary: "Metrics database and scraper (15 days retention)",
            image: ImageReference("prom/prometheus", tag: "v3.14.0", scheme: .prometheus),
            identity: .user,
            // Loopback only: Prometheus has no login; people read it through Grafana (or an SSH tunnel).
            port: .loopback(9090),
            mounts: [
                Mount(.repository("prometheus"), "/etc/prometheus", readOnly: true),
                Mount(.config("data"), "/prometheus"),
            ],
            command: [
                "--config.file=/etc/prometheus/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                "--storage.tsdb.retention.time=15d",
                // No --web.enable-lifecycle: nothing here reloads it over HTTP, and it would let any container on
                // media_net POST /-/quit unauthenticated. `mediaserver up` recreates it when its files change.
            ],
            health: .http("/-/healthy", via: .wget),
            // Node Exporter is on the host network; Prometheus scrapes it through the host gateway.
            extraHosts: ["host.docker.internal:host-gateway"],
            dashboard: .init(
                group: "Monitoring", icon: "prometheus.png", description: "Metrics",
                widget: HomepageWidget("prometheus", fields: ["targets_up", "targets_down", "targets_total"])),
            metrics: .init(job: "prometheus"),
            backup: .none,
            security: .unprivileged
        ),
        Service(
            "alertmanager", stack: .dashboard,
            summary: "Routes Prometheus alerts to Discord and e-mail",
            // v0.28.0 is the first release whose discord_configs accept webhook_url_file.
            image: ImageReference("prom/alertmanager", tag: "v0.32.1", scheme: .prometheus),
            identity: .user,
            port: 9093,
            mounts: [
                Mount(.repository("alertmanager"), "/etc/alertmanager", readOnly: true),
                Mount(.config("data"), "/alertmanager"),
            ],
            command: [
                "--config.file=/etc/alertmanager/alertmanager.yml",
                "--storage.path=/alertmanager",
                // One instance: no cluster listener (it would bind 0.0.0.0:9094).
                "--cluster.listen-address=",
            ],
            health: .http("/-/healthy", via: .wget),
            requires: ["prometheus"],
            // Alertmanager never expands variables in its config; it reads these files when it sends.
            secrets: [alertDiscordWebhook, alertSMTPPassword],
            dashboard: .init(group: "Monitoring", icon: "alertmanager.png", description: "Alert routing"),
            metrics: .init(job: "alertmanager"),
            // Silences live in data/; the notification log beside them is rebuilt.
            backup: .init(excludes: ["data/nflog"]),
            security: .unprivileged
        ),
        Service(
            "grafana", stack: .dashboard,
            summary: "Dashboards over Prometheus",
            image: ImageReference("grafana/grafana", tag: "13.2.0", scheme: .grafana),
            identity: .user,
            port: .published(3000, onHost: 3001),
            mounts: [
                Mount(.config(""), "/var/lib/grafana"),
                Mount(.repository("grafana/provisioning"), "/etc/grafana/provisioning", readOnly: true),
                Mount(.repository("grafana/dashboards"), "/var/lib/grafana/dashboards", readOnly: true),
            ],
            environment: [
                EnvironmentVariable("GF_SECURITY_ADMIN_USER", "${GRAFANA_ADMIN_USER}"),
                EnvironmentVariable("GF_SECURITY_ADMIN_PASSWORD", "${GRAFANA_ADMIN_PASSWORD}"),
                EnvironmentVariable("GF_USERS_ALLOW_SIGN_UP", "false"),
                EnvironmentVariable("GF_ANALYTICS_REPORTING_ENABLED", "false"),
            ],
            health: .http("/api/health", via: .curl),
            dependsOn: ["prometheus"],
            requires: ["prometheus"],
            // No widget: Homepage's Grafana widget logs in with a password, and Homepage should not hold the admin's.
            dashboard: .init(group: "Monitoring", icon: "grafana.png", description: "Dashboards"),
            backup: .init(excludes: ["dashboards", "csv", "png"]),
            unjailedLogin: "Grafana's own brute-force protection locks a user out after repeated failed logins",
            security: .unprivileged
        ),
        Service(
            "blackbox_exporter", stack: .dashboard,
            summary: "HTTP probes of every service's health endpoint",
            image: ImageReference("prom/blackbox-exporter", tag: "v0.28.0", scheme: .prometheus),
            identity: .imageDefault(reason: "the image's own unprivileged user"),
            // Exporters: Prometheus scrapes them on media_net; nobody opens them from another machine.
            port: .loopback(9115),
            mounts: [
                Mount(.repository("prometheus/blackbox.yml"), "/etc/blackbox_exporter/config.yml", readOnly: true)
            ],
            health: .http("/-/healthy", via: .wget),
            // Plex is on the host network; the probe reaches it through the host gateway.
            extraHosts: ["host.docker.internal:host-gateway"],
            metrics: .init(job: "blackbox"),
            backup: .none,
            // HTTP probes only: ICMP probes would need NET_RAW back.
            security: SecurityProfile(dropAllCapabilities: true, memoryLimit: "128m"),
            autoUpdate: true
        ),
        Service(
            "cadvisor", stack: .dashboard,
            summary: "Per-container resource metrics",
            image: ImageReference("ghcr.io/google/cadvisor", tag: "0.60.5", scheme: .cadvisor),
            identity: .imageDefault(reason: "reads cgroups and the Docker state as root"),
            port: .loopback(8080, onHost: 8082),
            mounts: [
                Mount(.host("/"), "/rootfs", readOnly: true),
                Mount(.host("/var/run"), "/var/run", readOnly: true),
                Mount(.host("/sys"), "/sys", readOnly: true),
                Mount(.host("/var/lib/docker/"), "/var/lib/docker", readOnly: true),
                Mount(.host("/dev/disk/"), "/dev/disk", readOnly: true),
            ],
            devices: ["/dev/kmsg:/dev/kmsg"],
            health: .http("/healthz", via: .wget),
            // Not privileged: container CPU, memory, network and filesystem metrics come from the read-only mounts.
            // Upstream's example adds --privileged for OOM events and some disk statistics; it would hand the
            // container every capability and device, and hosts with a reduced capability set refuse it outright.
            metrics: .init(job: "cadvisor"),
            backup: .none,
            security: SecurityProfile(exceptions: [
                SecurityException(
                    .dockerSocket,
                    "reads container metadata from the runtime under /var/run and the host root, read-only"),
                SecurityException(
                    .sensitiveHostPath, "per-container metrics come from /sys, /var/lib/docker and /dev/disk, read-only"
                ),
                SecurityException(
                    .hostDevice, "/dev/kmsg carries the kernel's OOM-kill events (read where the host allows it)"),
            ]),
            autoUpdate: true
        ),
        Service(
            "node_exporter", stack: .dashboard,
            summary: "Host metrics, and the backup metrics through the textfile collector",
            image: ImageReference("prom/node-exporter", tag: "v1.12.1", scheme: .prometheus),
            identity: .imageDefault(reason: "the image's own unprivileged user reads the host read-only"),
            // In its own namespace it would report its container's interface, not the host's NICs; upstream runs it
            // with --net=host --pid=host (prometheus/node_exporter v1.12.1 README.md "Docker"). Prometheus on the
            // bridge reaches it through host.docker.internal (host-gateway), which is not loopback: it listens on
            // the host's interfaces at 9100 (docs/observability.md, docs/security.md). With the front door on it
            // listens on loopback and the front door network's gateway only (`FrontDoor.resolve`).
            network: .host(reason: "network, netstat and process metrics must describe the host's namespaces"),
            port: 9100,
            mounts: [
                Mount(.host("/"), "/host", readOnly: true, options: ["rslave"]),
                Mount(.configRoot(textfileFolder), textfileDirectory, readOnly: true),
            ],
            command: [
                "--path.rootfs=/host", "--collector.textfile.directory=\(textfileDirectory)",
                "--web.listen-address=:9100",
            ],
            health: .http("/metrics", via: .wget),
            metrics: .init(job: "node"),
            backup: .none,
            security: SecurityProfile(
                exceptions: [
                    SecurityException(
                        .dockerSocket,
                        "mounts the host root read-only for filesystem metrics; it never opens the socket inside"),
                    SecurityException(.hostNamespace, "pid: host, so its process metrics count the host's processes"),
                ],
                dropAllCapabilities: true, memoryLimit: "128m"),
            autoUpdate: true,
            hostPID: true
        ),
        Service(
            "sab_exporter", stack: .dashboard,
            summary: "SABnzbd metrics through exportarr",
            image: ImageReference("ghcr.io/onedr0p/exportarr", tag: "v2.3.0", scheme: .exportarr),
            identity: .imageDefault(reason: "the image's own unprivileged user"),
            port: .loopback(sabExporterPort),
            environment: [
                // exportarr listens on 8081 unless told otherwise.
                EnvironmentVariable("PORT", "\(sabExporterPort)"),
                EnvironmentVariable("URL", "http://sabnzbd:\(sabnzbdPort)"),
                EnvironmentVariable("API_KEY", "${SABNZBD_API_KEY}"),
            ],
            command: ["sabnzbd"],
            // The image is distroless (no shell, no HTTP client): Blackbox and `mediaserver health` probe it.
            health: .http("/healthz", via: .outsideOnly),
            requires: ["sabnzbd"],
            metrics: .init(job: "sabnzbd"),
            backup: .none,
            security: SecurityProfile(dropAllCapabilities: true, memoryLimit: "128m"),
            autoUpdate: true
        ),
    ]
}
