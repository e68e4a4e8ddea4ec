import MediaStack

/// The host filesystems the disk alerts and the host dashboard watch: `/` and every directory that can be the
/// mount point holding `DATA_ROOT`, `CONFIG_ROOT` or `BACKUP_ROOT` (each root and all its ancestors; whichever of
/// them is a real mount point is the filesystem that holds the data).
///
/// Node Exporter runs with `--path.rootfs=/host` and reports mount points as host paths, without the prefix.
public enum HostFilesystems {
    public static let rootKeys = ["DATA_ROOT", "CONFIG_ROOT", "BACKUP_ROOT"]
    /// Pseudo and image filesystems that never hold user data. `fuse.*` stays in: a mergerfs pool is typical.
    public static let ignoredTypes = "tmpfs|ramfs|overlay|squashfs"

    /// The watched mount points, sorted.
    public static func mountPoints(_ settings: Settings) -> [String] {
        var points: Set<String> = ["/"]
        for key in rootKeys {
            guard let root = settings[key] else { continue }
            var path = ""
            for part in root.split(separator: "/") {
                path += "/\(part)"
                points.insert(path)
            }
        }
        return points.sorted()
    }

    /// The mount points as a PromQL regex inside a double-quoted string: regex metacharacters are escaped, and the
    /// backslash itself is doubled for the PromQL string.
    public static func regex(_ settings: Settings) -> String {
        mountPoints(settings).map { point in
            var escaped = ""
            for character in point {
                if ".+*?()[]{}^$\\|".contains(character) { escaped += "\\\\" }
                escaped.append(character)
            }
            return escaped
        }.joined(separator: "|")
    }

    /// The selector of the watched filesystems of Node Exporter's job.
    public static func selector(_ settings: Settings, job: String) -> String {
        "{job=\"\(job)\",mountpoint=~\"\(regex(settings))\",fstype!~\"\(ignoredTypes)\"}"
    }
}
