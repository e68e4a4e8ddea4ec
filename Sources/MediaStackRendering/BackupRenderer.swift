import MediaStack

/// Renders the borgmatic configuration, the Borg excludes, both crontabs and the backup scripts under `backup/`.
///
/// Sources are the config folders of the enabled services whose `BackupFacts.includeConfig` is set: borgmatic's
/// `source_directories_must_exist` makes a missing folder fail every run, so a disabled service must leave none.
/// Nothing is rendered when borgmatic is disabled; the off-site files only when rclone is enabled.
public struct BackupRenderer: Sendable {
    public init() {}

    /// The services whose config folder is backed up, in catalog order.
    public static func sources(_ stack: Stack) -> [Service] {
        stack.services.filter(\.backup.includeConfig)
    }

    /// The Borg patterns of `excludes.txt` that apply to every service.
    public static let generalExcludes = ["sh:**/*.tmp", "sh:**/*.pid", "sh:**/.DS_Store"]

    /// The Borg pattern excluding `relative` under the config folder of `service`, wherever the root is mounted.
    public static func excludePattern(_ relative: String, of service: ServiceName) -> String {
        "sh:**/\(service)/\(relative)"
    }

    /// An option of config.yaml that selects what `borg create` archives, with the borg flag borgmatic makes of it.
    struct SelectionOption {
        let key: String
        let flag: String
    }

    /// borgmatic 2.1: borgmatic/borg/create.py adds `--one-file-system`, borgmatic/borg/flags.py
    /// (make_exclude_flags) `--exclude-caches`.
    static let oneFileSystem = SelectionOption(key: "one_file_system", flag: "--one-file-system")
    static let excludeCaches = SelectionOption(key: "exclude_caches", flag: "--exclude-caches")
    /// The excludes file as config.yaml names it.
    static let excludesInConfig = "{backup_dir}/excludes.txt"

    /// The `borg create` options pre-backup.sh is handed, so its dry run selects the files create archives. The
    /// excludes file goes as `--exclude-from`: borgmatic 2.1 (borgmatic/actions/pattern.py) reads each of its lines
    /// as a `!` (no-recurse) pattern of style `fm:` unless it names one, as borg reads `--exclude-from` (borg 1.4.5
    /// src/borg/patterns.py, parse_exclude_pattern: ExcludeNoRecurse, fnmatch fallback). The live databases file is
    /// left out: pre-backup.sh writes it.
    static let preBackupSelection = [oneFileSystem.flag, excludeCaches.flag, "--exclude-from", excludesInConfig]
        .joined(separator: " ")

    public func render(_ stack: Stack) throws -> [RenderedFile] {
        guard stack.isEnabled(.borgmatic) else { return [] }
        var files = [
            configFile(stack),
            excludesFile(stack),
            crontab(
                BackupPaths.backupCrontab, stack,
                comment: [
                    "mediaserver-backup container: daily backup at 03:30 (TZ from .env). borgmatic-start forwards",
                    "SIGTERM to borgmatic, so stopping the container leaves no stale Borg lock.",
                ],
                line: CronLine("30 3 * * *", "borgmatic-start --stats -v 0 2>&1")),
        ]
        files += try BackupScripts.render(
            BackupScripts.preBackup + BackupScripts.postBackup + BackupScripts.textfileMetrics
                + BackupScripts.restoreDumps)
        if stack.isEnabled(.rclone) {
            files.append(
                crontab(
                    BackupPaths.offsiteCrontab, stack,
                    comment: [
                        "rclone_backup container (borgmatic image + EXTRA_PKGS=rclone): off-site copy of the Borg",
                        "repository, 40 min after the 03:30 backup; offsite.sh waits for Borg's lock if the backup",
                        "still runs. with-contenv gives the job the container environment (RCLONE_REMOTE, RCLONE_*).",
                    ],
                    line: CronLine(
                        "10 4 * * *",
                        "/command/with-contenv sh \(BackupPaths.backupDirectory)/offsite.sh \(BackupPaths.repository) "
                            + "\(BackupPaths.textfileDirectory) 2>&1")))
            files += try BackupScripts.render(BackupScripts.offsite)
        }
        return files
    }

    private func crontab(_ path: String, _ stack: Stack, comment: [String], line: CronLine) -> RenderedFile {
        let header = RenderHeader.lines + comment
        return RenderedFile(
            path: path, contents: (header.map { "# \($0)" } + [line.description]).joined(separator: "\n") + "\n")
    }

    private func excludesFile(_ stack: Stack) -> RenderedFile {
        var lines = RenderHeader.lines.map { "# \($0)" }
        lines += [
            "#",
            "# Borg patterns (borgmatic `exclude_from`), one per line: regenerable data of each backed-up service,",
            "# from the `backup:` facts of the catalog. Each starts with `**/` so it matches wherever the config",
            "# root is mounted (/mnt/source in the container, a host path with `mediaserver backup --direct`).",
            "#",
            "# The live SQLite files are NOT excluded here: pre-backup.sh writes <dump root>/"
                + BackupPaths.liveDatabaseExcludes,
            "# listing exactly the databases it copied consistently, and config.yaml reads that file too, so a",
            "# database pre-backup.sh could not copy is still archived as it is.",
            "",
            "# every service: scratch files",
        ]
        lines += Self.generalExcludes
        for service in Self.sources(stack) where !service.backup.excludes.isEmpty {
            lines += ["", "# \(service.name)"]
            lines += service.backup.excludes.map { Self.excludePattern($0, of: service.name) }
        }
        return RenderedFile(path: BackupPaths.excludesFile, contents: lines.joined(separator: "\n") + "\n")
    }

    private func configFile(_ stack: Stack) -> RenderedFile {
        let header = RenderHeader.lines
        var lines = header.map { "# \($0)" }
        lines += [
            "#",
            "# borgmatic 2.x configuration of the mediaserver-backup container, read from /etc/borgmatic.d.",
            "# Container paths (compose.yml mounts them):",
            "#   \(BackupPaths.backupDirectory)  excludes.txt and the hook scripts (./backup, read-only)",
            "#   \(BackupPaths.sourceRoot)             ${CONFIG_ROOT}, read-only: one folder per service",
            "#   \(BackupPaths.dumpRoot)         consistent SQLite copies made by pre-backup.sh (named volume)",
            "#   \(BackupPaths.repository)    ${BACKUP_ROOT}: the Borg repository",
            "#   \(BackupPaths.textfileDirectory)                 node_exporter's textfile folder (backup metrics)",
            "#",
            "# Each path is written once, as a constant, and used below as {name}. A constant defaults to the",
            "# container path; `mediaserver backup --direct` relocates it through an environment variable to run",
            "# this same file on the host. `${VAR-default}` (no colon) on purpose: `borgmatic config validate` does not",
            "# expand variables, and with a colon it would read the repository as a deprecated host:path remote.",
            "# (`borgmatic --constants` is silently ignored for these, so it cannot relocate them.)",
            "constants:",
            "  backup_dir: \"${\(BackupPaths.backupDirectoryVariable)-\(BackupPaths.backupDirectory)}\"",
            "  source_root: \"${\(BackupPaths.sourceRootVariable)-\(BackupPaths.sourceRoot)}\"",
            "  dump_root: \"${\(BackupPaths.dumpRootVariable)-\(BackupPaths.dumpRoot)}\"",
            "  repository_path: \"${\(BackupPaths.repositoryVariable)-\(BackupPaths.repository)}\"",
            "  textfile_dir: \"${\(BackupPaths.textfileDirectoryVariable)-\(BackupPaths.textfileDirectory)}\"",
            "",
            "repositories:",
            "  - path: \"{repository_path}\"",
            "    label: local",
            "    encryption: repokey-blake2  # used by `repo-create` (`mediaserver backup init`) only",
            "",
            "# The config folder of every enabled service that keeps state. A missing folder fails the run",
            "# (source_directories_must_exist), so disabled services are left out by `mediaserver render`.",
            "source_directories:",
        ]
        lines += Self.sources(stack).map { "  - \"{source_root}/\($0.name)\"" }
        lines += [
            "  # consistent copies of every SQLite database (the live files are excluded, see exclude_from)",
            "  - \"{dump_root}\"",
            "source_directories_must_exist: true",
            "\(Self.oneFileSystem.key): true",
            "",
            "exclude_from:",
            "  - \"\(Self.excludesInConfig)\"",
            "  # written by pre-backup.sh on every run: the live SQLite files (and -wal/-shm/-journal) it copied",
            "  - \"{dump_root}/\(BackupPaths.liveDatabaseExcludes)\"",
            "\(Self.excludeCaches.key): true  # honours CACHEDIR.TAG",
            "",
            "# Never stored here. A missing variable fails at load time (\"Cannot find variable BORG_PASSPHRASE\"),",
            "# and borgmatic hands the value to borg over a file descriptor, not the environment.",
            "encryption_passphrase: \"${BORG_PASSPHRASE}\"",
            "",
            "archive_name_format: \"mediaserver-{now:%Y-%m-%dT%H:%M:%S}\"",
            "compression: zstd,6",
            "# Waits up to 10 min while offsite.sh holds the repository lock. Borg polls every lock_wait/10 s.",
            "lock_wait: 600",
            "# Before every create, borgmatic walks the sources once more with `borg create --dry-run --list`,",
            "# keeping every listed path, to check that its runtime folder is not excluded and to find special files",
            "# a database stream could hang on. No database is streamed here (pre-backup.sh copies them into",
            "# {dump_root}) and no exclude matches that folder (the archive holds borgmatic/bootstrap, which the",
            "# tests check), so the walk would only add time and memory that grow with the number of files.",
            "unsafe_skip_path_validation_before_create: true",
            "",
            "keep_daily: 7",
            "keep_weekly: 4",
            "keep_monthly: 6",
            "keep_yearly: 1",
            "",
            "checks:",
            "  - name: repository",
            "    frequency: 2 weeks",
            "  - name: archives",
            "    frequency: 4 weeks",
            "check_last: 3",
            "",
            "commands:",
            "  # Right before create, not `before: everything`: borgmatic 2.1 skips every after-everything hook when",
            "  # a before-everything hook fails, so a failed database copy would never reach the metrics. A failing",
            "  # `before: action` hook aborts the run and still triggers the `after: everything` fail hook.",
            "  # `when: [create]` keeps all three out of manual `borgmatic list` or `check` runs.",
            "  # pre-backup.sh is given the names of the manifest, of the live-database excludes and of the run's",
            "  # start time it writes in the dump root, then the options that select what create archives",
            "  # (exclude_from, exclude_caches, one_file_system as borg flags), for `borg create --dry-run`, so it",
            "  # copies exactly the databases the archive would hold. post-backup.sh reads the start time by the",
            "  # name it is given.",
            "  - before: action",
            "    when: [create]",
            "    run:",
            "      - \"{backup_dir}/pre-backup.sh {source_root} {dump_root} \(BackupPaths.dumpManifest) "
                + "\(BackupPaths.liveDatabaseExcludes) \(BackupPaths.runStarted) \(Self.preBackupSelection)\"",
            "  - after: everything",
            "    when: [create]",
            "    states: [finish]",
            "    run:",
            "      - \"{backup_dir}/post-backup.sh finish {repository_path} {dump_root} {textfile_dir} "
                + "\(BackupPaths.runStarted)\"",
            "  - after: everything",
            "    when: [create]",
            "    states: [fail]",
            "    run:",
            "      - \"{backup_dir}/post-backup.sh fail {repository_path} {dump_root} {textfile_dir} "
                + "\(BackupPaths.runStarted)\"",
        ]
        return RenderedFile(path: BackupPaths.configFile, contents: lines.joined(separator: "\n") + "\n")
    }
}
