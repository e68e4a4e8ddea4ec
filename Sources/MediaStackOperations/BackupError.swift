import Foundation

/// A backup or off-site step that failed, explained in one sentence with the fix.
///
/// The messages of borg, borgmatic, rclone and our scripts are mapped to the known causes (the prototype's notes
/// list each one as seen); anything else keeps the tool's last meaningful line. Secrets never appear: the
/// passphrase is removed from every line before it is kept.
public struct BackupError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The known causes, each with a stable id for `--json` and scripts.
    public enum Cause: String, Sendable, Codable, Hashable {
        case wrongPassphrase = "wrong-passphrase"
        case missingPassphrase = "missing-passphrase"
        case missingRepository = "missing-repository"
        case notARepository = "not-a-repository"
        case repositoryExists = "repository-exists"
        case staleLock = "stale-lock"
        case unreadableSource = "unreadable-source"
        case missingSource = "missing-source"
        case lockTimeout = "lock-timeout"
        case remoteUnreachable = "remote-unreachable"
        case remoteNotSet = "remote-not-set"
        case refused = "refused"
        case deleteGuard = "delete-guard"
        case databaseCopy = "database-copy"
        case killed = "killed"
        case noSpace = "no-space"
        case noArchive = "no-archive"
        case toolMissing = "tool-missing"
        case other = "failed"
    }

    public let step: String
    public let cause: Cause
    public let message: String
    public let fix: String
    /// The tool's exit status, when a tool ran.
    public let status: Int32?
    /// The tool's last output lines, secrets blanked out (shown with --verbose).
    public let detail: [String]

    public init(step: String, cause: Cause, message: String, fix: String, status: Int32? = nil, detail: [String] = []) {
        self.step = step
        self.cause = cause
        self.message = message
        self.fix = fix
        self.status = status
        self.detail = detail
    }

    public var description: String { "\(step) failed: \(message)\n  fix: \(fix)" }

    /// Noise borgmatic 2.1 prints on every borg failure; never the cause.
    static let noise = [
        "Exception ignored in", "_TemporaryFileCloser",
        "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/borgmatic",
        "Traceback", "File \"", "^^^", "summary:", "Need some help?", "https://torsion.org",
    ]

    /// Explains the failed `output` of `step`; `secrets` are blanked out of anything quoted.
    public static func explain(step: String, output: ProcessOutput, secrets: [String] = []) -> BackupError {
        let text = output.standardError + "\n" + output.standardOutput
        let lines = text.split(separator: "\n").map { redact(String($0), secrets) }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        func line(containing needle: String) -> String? {
            lines.first { $0.localizedCaseInsensitiveContains(needle) }
        }
        func make(_ cause: Cause, _ message: String, _ fix: String) -> BackupError {
            BackupError(
                step: step, cause: cause, message: message, fix: fix, status: output.status,
                detail: Array(lines.filter { !$0.isEmpty }.suffix(40)))
        }
        if line(containing: "passphrase supplied in") != nil || line(containing: "passphrase is incorrect") != nil {
            return make(
                .wrongPassphrase,
                "the repository refused the passphrase (BORG_PASSPHRASE is not the one it was created with)",
                "set BORG_PASSPHRASE in .env to the repository's passphrase (your off-machine copy of it)")
        }
        if line(containing: "Cannot find variable BORG_PASSPHRASE") != nil {
            return make(
                .missingPassphrase, "BORG_PASSPHRASE is not set, so borgmatic cannot load its configuration",
                "set BORG_PASSPHRASE in .env (and recreate the container: docker compose up -d borgmatic)")
        }
        if let found = line(containing: "Source directories or root pattern paths do not exist") {
            let paths = found.components(separatedBy: "do not exist:").last?.trimmingCharacters(in: .whitespaces)
            return make(
                .missingSource, "a source folder does not exist: \(paths ?? found)",
                "start that service once so it creates its folder, or add it to DISABLED_SERVICES and run"
                    + " `mediaserver render`")
        }
        if let found = line(containing: "Permission denied") {
            return make(
                .unreadableSource, "a file or folder cannot be read: \(shorten(found))",
                "give the user running the backup read access (`ls -ld` the path; the apps' PUID owns it), or run as"
                    + " root")
        }
        if let found = line(containing: "REFUSED:") {
            let reason = found.components(separatedBy: "REFUSED:").last?.trimmingCharacters(in: .whitespaces) ?? found
            if reason.contains("RCLONE_REMOTE") {
                return make(.remoteNotSet, reason, "set RCLONE_REMOTE=<remote>:<path> in .env")
            }
            return make(
                .refused, reason,
                reason.contains("OFFSITE_ALLOW_NEW_REPO")
                    ? "if the local repository was re-created on purpose, run once with OFFSITE_ALLOW_NEW_REPO=1"
                    : "restore or mount the local repository at BACKUP_ROOT; the remote copy was left untouched")
        }
        if let found = line(containing: "does not exist") ?? line(containing: "is not a valid repository"),
            found.localizedCaseInsensitiveContains("repository")
        {
            return make(
                .missingRepository, "no Borg repository: \(found)",
                "mount the backup disk at BACKUP_ROOT; for a new one run `mediaserver backup init`")
        }
        if line(containing: "Failed to create/acquire the lock") != nil
            || line(containing: "lock.exclusive (timeout)") != nil
        {
            return make(
                .lockTimeout, "another Borg process held the repository lock for longer than the lock wait",
                "wait for the running backup or off-site sync to finish; if none runs, `borg break-lock` the repository"
            )
        }
        if line(containing: "max-delete threshold reached") != nil {
            return make(
                .deleteGuard, "the off-site sync stopped instead of deleting more remote files than OFFSITE_MAX_DELETE",
                "check the local repository is the right one; after a large prune run once with a higher"
                    + " OFFSITE_MAX_DELETE")
        }
        if let found = line(containing: "didn't find section in config file") {
            return make(
                .remoteNotSet, "rclone has no such remote (\(shorten(found)))",
                "define the remote with `rclone config` (or RCLONE_CONFIG_<NAME>_* variables), or fix RCLONE_REMOTE")
        }
        if let found = line(containing: "couldn't connect") ?? line(containing: "connection refused")
            ?? line(containing: "remote unreachable") ?? line(containing: "Failed to create file system")
            ?? line(containing: "no such host") ?? line(containing: "i/o timeout")
        {
            return make(
                .remoteUnreachable, "the off-site remote cannot be reached (\(shorten(found)))",
                "check the network and the remote in RCLONE_REMOTE and the rclone config (`rclone lsd <remote>:`)")
        }
        if let found = line(containing: "pre-backup: FAILED") {
            return make(
                .databaseCopy, "a database could not be copied consistently: \(found)",
                "check that database with `sqlite3 <file> 'PRAGMA integrity_check'`; the app may need a repair")
        }
        if line(containing: "died with <Signals") != nil || output.status == 137 || output.status == 143 {
            return make(
                .killed, "the backup was killed mid-way (earlier archives are intact)",
                "run `mediaserver backup run` again; `mediaserver backup verify` checks the repository")
        }
        if line(containing: "No space left on device") != nil {
            return make(.noSpace, "a disk is full", "free space on the backup disk (or the dump volume)")
        }
        if let found = line(containing: "Error parsing configuration file")
            ?? line(containing: "No valid configuration")
        {
            return make(
                .other, "borgmatic cannot load its configuration (\(shorten(found)))",
                "run `mediaserver render`, then `borgmatic config validate -c backup/config/config.yaml`")
        }
        let meaningful = lines.filter { line in !line.isEmpty && !noise.contains { line.contains($0) } }
        let last = meaningful.last ?? "exit status \(output.status)"
        return make(.other, shorten(last), "see the tool's output with --verbose")
    }

    static func redact(_ line: String, _ secrets: [String]) -> String {
        secrets.filter { $0.count >= 3 }.reduce(line) { $0.replacingOccurrences(of: $1, with: "***") }
    }

    static func shorten(_ text: String, limit: Int = 240) -> String {
        text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}
