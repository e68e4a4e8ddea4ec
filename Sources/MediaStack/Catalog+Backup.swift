import Foundation

extension Catalog {
    /// The borgmatic image, pinned once for both services that run it (each still has its own tag setting).
    static let borgmaticImage = ImageReference(
        "ghcr.io/borgmatic-collective/borgmatic", tag: "2.1.7", scheme: .borgmatic)

    /// Borg backups and their off-site copy (compose.yml).
    static let backups: [Service] = [
        Service(
            "borgmatic", containerName: "mediaserver-backup", stack: .core,
            summary: "Encrypted, deduplicated Borg backups of every app's configuration (daily 03:30)",
            image: borgmaticImage,
            identity: .imageDefault(reason: "reads every app's configuration, whatever its owner"),
            mounts: [
                // The paths backup/config/config.yaml and the crontabs name.
                Mount(.configRoot(""), BackupPaths.sourceRoot, readOnly: true),
                Mount(.backupRepository, BackupPaths.repository),
                // Consistent SQLite copies made by pre-backup.sh; outside the source root, kept between runs.
                Mount(.volume("borg-dumps"), BackupPaths.dumpRoot),
                Mount(.repository("backup/config"), BackupPaths.configDirectory, readOnly: true),
                // excludes.txt and the hook scripts.
                Mount(.repository("backup"), BackupPaths.backupDirectory, readOnly: true),
                Mount(.config("borg-config"), "/root/.config/borg"),
                Mount(.config("borg-cache"), "/root/.cache/borg"),
                Mount(.config("state"), "/root/.local/state/borgmatic"),
                Mount(.configRoot(textfileFolder), BackupPaths.textfileDirectory),
            ],
            environment: [
                EnvironmentVariable("TZ", "${TZ}"),
                EnvironmentVariable("BORG_PASSPHRASE", "${BORG_PASSPHRASE}"),
            ],
            // The image's scheduler is busybox crond under s6; a valid config and a running crond mean backups happen.
            health: .command("bash", "-c", "borgmatic config validate >/dev/null && pgrep -x crond >/dev/null"),
            stopGracePeriod: "10m",
            // borg-cache/ is rebuilt from the repository. borg-config/security/ holds this client's nonce and
            // manifest timestamp, which Borg rewrites during every backup; restoring an old nonce would risk AES
            // counter reuse, so it is never restored. state/ only records when checks last ran. Key files in
            // borg-config/keys/ are kept.
            backup: .init(excludes: ["borg-cache", "borg-config/security", "state"])
        ),
        Service(
            "rclone", containerName: "rclone_backup", stack: .core,
            summary: "Copies the Borg repository off-site while holding Borg's lock (daily 04:10)",
            // The borgmatic image brings borg (for `borg with-lock`) and cron; rclone comes from Alpine.
            image: borgmaticImage,
            identity: .imageDefault(reason: "takes Borg's lock in a repository owned by root"),
            mounts: [
                Mount(.backupRepository, BackupPaths.repository),
                // crontab.txt only: the image's cron reads /etc/borgmatic.d/crontab.txt.
                Mount(.repository("backup/rclone"), BackupPaths.configDirectory, readOnly: true),
                // offsite.sh.
                Mount(.repository("backup"), BackupPaths.backupDirectory, readOnly: true),
                Mount(.config(""), "/config/rclone"),
                // mediaserver_offsite.prom for node_exporter.
                Mount(.configRoot(textfileFolder), BackupPaths.textfileDirectory),
            ],
            environment: [
                EnvironmentVariable("TZ", "${TZ}"),
                EnvironmentVariable("EXTRA_PKGS", "rclone"),
                EnvironmentVariable("RCLONE_CONFIG", "/config/rclone/rclone.conf"),
                EnvironmentVariable("RCLONE_REMOTE", "${RCLONE_REMOTE}"),
            ],
            health: .command("pgrep", "-x", "crond"),
            requires: ["borgmatic"]
        ),
    ]
}
