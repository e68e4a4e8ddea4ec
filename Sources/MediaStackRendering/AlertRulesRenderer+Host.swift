import MediaStack

extension AlertRulesRenderer {
    static func host(_ stack: Stack, _ node: PrometheusRenderer.ScrapeTarget) -> Group {
        let job = node.job
        let watched = HostFilesystems.selector(stack.settings, job: job)
        let any = "{job=\"\(job)\"}"
        let rules = [
            AlertRule(
                name: "HostOutOfDiskSpace",
                expr: """
                    node_filesystem_avail_bytes\(watched) / node_filesystem_size_bytes\(any) < 0.10
                    and on (instance, device, mountpoint)
                    node_filesystem_readonly\(any) == 0
                    """,
                duration: "5m", severity: .critical, summary: "Filesystem {{ $labels.mountpoint }} is almost full",
                description:
                    "{{ $labels.mountpoint }} ({{ $labels.device }}) has {{ $value | humanizePercentage }} space left."
            ),
            AlertRule(
                name: "HostDiskWillFill",
                expr: """
                    predict_linear(node_filesystem_avail_bytes\(watched)[6h], 24 * 3600) < 0
                    and on (instance, device, mountpoint)
                    node_filesystem_avail_bytes\(any) / node_filesystem_size_bytes\(any) < 0.25
                    and on (instance, device, mountpoint)
                    node_filesystem_readonly\(any) == 0
                    """,
                duration: "30m", severity: .warning,
                summary: "Filesystem {{ $labels.mountpoint }} will fill within 24h",
                description: "At the write rate of the last 6h, {{ $labels.mountpoint }} ({{ $labels.device }})"
                    + " runs out of space within 24h."),
            AlertRule(
                name: "HostMemoryPressure",
                expr: "node_memory_MemAvailable_bytes\(any) / node_memory_MemTotal_bytes\(any) < 0.10",
                duration: "5m", severity: .warning, summary: "Host memory is under pressure",
                description: "Only {{ $value | humanizePercentage }} of memory is available on {{ $labels.instance }}."
            ),
        ]
        let settings = stack.settings
        let data = settings[.dataRoot]
        let config = settings[.configRoot]
        let backup = settings[.backupRoot]
        func filesystem(
            _ device: String, _ fstype: String, _ mountpoint: String, avail: String, size: String, readonly: String
        ) -> [YAMLValue] {
            let fsLabels = labels(node) + [("device", device), ("fstype", fstype), ("mountpoint", mountpoint)]
            return [
                TestSeries.make("node_filesystem_avail_bytes", fsLabels, avail),
                TestSeries.make("node_filesystem_size_bytes", fsLabels, size),
                TestSeries.make("node_filesystem_readonly", fsLabels, readonly),
            ]
        }
        let full =
            filesystem("/dev/sdb1", "ext4", data, avail: "5e9x10", size: "100e9x10", readonly: "0x10")
            + filesystem("/dev/sda2", "ext4", "/", avail: "50e9x10", size: "100e9x10", readonly: "0x10")
            // Full, but not a data, config or backup mount.
            + filesystem("/dev/sda1", "vfat", "/boot/efi", avail: "1e6x10", size: "500e6x10", readonly: "0x10")
            // Node Exporter never reports the /host prefix; the rule must not match it either.
            + filesystem("/dev/sdb2", "ext4", "/host\(data)", avail: "1e9x10", size: "100e9x10", readonly: "0x10")
            // Full but read-only.
            + filesystem("/dev/sdc1", "ext4", backup, avail: "1e9x10", size: "100e9x10", readonly: "1x10")
        let filling =
            // -1.2 GB/h with 24% free: fills within 24h.
            filesystem("/dev/sdb1", "fuse.mergerfs", data, avail: "24e9-2e7x480", size: "100e9x480", readonly: "0x480")
            // -6 GB/h, but 38% and more free (a burst of downloads): the 25% guard holds.
            + filesystem("/dev/sda2", "ext4", config, avail: "80e9-1e8x480", size: "100e9x480", readonly: "0x480")
            // Flat at 20% free.
            + filesystem("/dev/sdc1", "ext4", backup, avail: "20e9x480", size: "100e9x480", readonly: "0x480")
        let nodeLabels = labels(node)
        let tests = [
            TestSeries.test(
                "HostOutOfDiskSpace only on watched, writable mounts", full,
                [
                    TestSeries.check("3m", "HostOutOfDiskSpace", []),
                    TestSeries.check(
                        "10m", "HostOutOfDiskSpace",
                        [
                            TestSeries.alert(
                                [("severity", "critical")] + nodeLabels + [
                                    ("device", "/dev/sdb1"), ("fstype", "ext4"), ("mountpoint", data),
                                ],
                                summary: "Filesystem \(data) is almost full",
                                description: "\(data) (/dev/sdb1) has 5% space left.")
                        ]),
                ]),
            TestSeries.test(
                "HostDiskWillFill needs a 24h fill prediction and less than 25% free", filling,
                [
                    TestSeries.check("20m", "HostDiskWillFill", []),
                    TestSeries.check(
                        "7h", "HostDiskWillFill",
                        [
                            TestSeries.alert(
                                [("severity", "warning")] + nodeLabels + [
                                    ("device", "/dev/sdb1"), ("fstype", "fuse.mergerfs"), ("mountpoint", data),
                                ],
                                summary: "Filesystem \(data) will fill within 24h",
                                description:
                                    "At the write rate of the last 6h, \(data) (/dev/sdb1) runs out of space within 24h."
                            )
                        ]),
                ]),
            TestSeries.test(
                "HostMemoryPressure below 10% available for 5m",
                [
                    TestSeries.make("node_memory_MemAvailable_bytes", nodeLabels, "5e9 5e9 5e8x10"),
                    TestSeries.make("node_memory_MemTotal_bytes", nodeLabels, "1e10x12"),
                ],
                [
                    TestSeries.check("1m", "HostMemoryPressure", []),
                    TestSeries.check("5m", "HostMemoryPressure", []),
                    TestSeries.check(
                        "10m", "HostMemoryPressure",
                        [
                            TestSeries.alert(
                                [("severity", "warning")] + nodeLabels, summary: "Host memory is under pressure",
                                description: "Only 5% of memory is available on \(node.address).")
                        ]),
                ]),
        ]
        return Group(
            file: "host", name: "mediaserver-host", rules: rules, tests: tests,
            source:
                "Node Exporter (job \(job)); mount points / and the ancestors of DATA_ROOT, CONFIG_ROOT, BACKUP_ROOT"
        )
    }
}
