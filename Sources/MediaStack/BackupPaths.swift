/// The paths the backup files name inside the containers, and the environment variables that relocate them.
///
/// `backup/config/config.yaml` writes each path once, as a borgmatic constant whose value is
/// `${VARIABLE-container path}`: in the containers no variable is set, so the file means the mounts of the catalog
/// (which mounts each of these paths, Catalog+Backup.swift); `mediaserver backup --direct` sets the variables to run
/// the very same file against host paths.
public enum BackupPaths {
    /// The rendered `backup/` folder (excludes.txt and the hook scripts).
    public static let backupDirectory = "/etc/mediaserver/backup"
    /// `backup/config/`, where docker-borgmatic reads `config.yaml` and `crontab.txt`.
    public static let configDirectory = "/etc/borgmatic.d"
    /// `${CONFIG_ROOT}`, read-only: one folder per service.
    public static let sourceRoot = "/mnt/source"
    /// The consistent SQLite copies pre-backup.sh makes (a named volume).
    public static let dumpRoot = "/mnt/borg-dumps"
    /// `${BACKUP_ROOT}`: the Borg repository.
    public static let repository = "/mnt/borg-repository"
    /// node_exporter's textfile collector folder.
    public static let textfileDirectory = "/textfile"

    /// Written by pre-backup.sh in the dump root, one line per database copy (relative path, bytes, SHA-256,
    /// integrity result, source mtime): restore-dumps.sh and the restore drill read it. config.yaml hands the name
    /// to pre-backup.sh; the restore drill hands restore-dumps.sh its path.
    public static let dumpManifest = "MANIFEST.tsv"
    /// Written by pre-backup.sh in the dump root: Borg patterns for the live database files its copies replace, which
    /// config.yaml excludes (and hands pre-backup.sh the name of) and the restore drill does not compare.
    public static let liveDatabaseExcludes = "live-databases.exclude"
    /// Written by pre-backup.sh in the dump root: the run's start in epoch seconds, which post-backup.sh reads for
    /// the duration metric. config.yaml hands the name to both.
    public static let runStarted = ".run-started"

    public static let backupDirectoryVariable = "MEDIASERVER_BACKUP_DIR"
    public static let sourceRootVariable = "MEDIASERVER_BACKUP_SOURCE_ROOT"
    public static let dumpRootVariable = "MEDIASERVER_BACKUP_DUMP_ROOT"
    public static let repositoryVariable = "MEDIASERVER_BACKUP_REPOSITORY"
    /// Relocates the textfile folder for post-backup.sh (through config.yaml) and offsite.sh (read directly).
    public static let textfileDirectoryVariable = "TEXTFILE_DIR"

    /// Rendered files, relative to the repository root.
    public static let configFile = "backup/config/config.yaml"
    public static let excludesFile = "backup/excludes.txt"
    public static let backupCrontab = "backup/config/crontab.txt"
    public static let offsiteCrontab = "backup/rclone/crontab.txt"
}
