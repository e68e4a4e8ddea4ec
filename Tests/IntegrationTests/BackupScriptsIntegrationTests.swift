import Foundation
import MediaStack
import MediaStackOperations
import MediaStackRendering
import TestKit
import Testing
import Yams

/// The rendered hook scripts run as borgmatic runs them: the command lines of the committed config.yaml with its
/// constants filled in, through `sh -c`, against real borg and SQLite on small trees.
@Suite("Backup hook scripts with real borg")
struct BackupScriptsIntegrationTests {
    /// The `run` lines of config.yaml's hooks, by `before`/`after` value and state.
    static func hook(_ kind: String, _ value: String, state: String? = nil) throws -> String {
        let text = try String(
            contentsOf: IntegrationSupport.repositoryRoot.appendingPathComponent(BackupPaths.configFile),
            encoding: .utf8)
        let config = try #require(try Yams.load(yaml: text) as? [String: Any])
        let hooks = try #require(config["commands"] as? [[String: Any]])
        let hook = try #require(
            hooks.first {
                $0[kind] as? String == value && (state == nil || ($0["states"] as? [String]) == [state ?? ""])
            })
        return try #require((hook["run"] as? [String])?.first)
    }

    /// Fills in config.yaml's constants as borgmatic does.
    static func command(_ line: String, _ constants: [String: String]) -> String {
        constants.reduce(line) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    static func scratch(_ name: String) throws -> URL {
        try Scratch.folder("mediaserver-\(name)")
    }

    @Test("pre-backup copies exactly the databases borg create would archive")
    func preBackupCopiesWhatBorgArchives() async throws {
        guard IntegrationSupport.tool("borg") != nil, let python = IntegrationSupport.tool("python3") else { return }
        let base = try Self.scratch("pre-backup")
        defer { try? FileManager.default.removeItem(at: base) }
        let source = base.appendingPathComponent("cfg")
        // Excluded by the committed excludes.txt (sonarr/logs, tautulli/backups), by CACHEDIR.TAG, or kept.
        let databases = [
            "sonarr/sonarr.db", "sonarr/logs/logs.db", "tautulli/backups/tautulli.backup.sched.db",
            "grafana/plugins/cached/cache.db", "a b/ünï code.sqlite3", "jellyfin/config/data/library.db",
        ]
        let create = """
            import os, sqlite3, sys
            for path in sys.argv[1:]:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                con = sqlite3.connect(path)
                con.execute("create table t (x)")
                con.commit()
                con.close()
            """
        let made = try await IntegrationSupport.run(
            python, ["-c", create] + databases.map { source.appendingPathComponent($0).path })
        #expect(made.succeeded, "\(made.standardError)")
        try Data("not an sqlite file\n".utf8).write(to: source.appendingPathComponent("jellyfin/config/data/Thumbs.db"))
        try Data("Signature: 8a477f597d28d172789f06886806bc55\n".utf8).write(
            to: source.appendingPathComponent("grafana/plugins/cached/CACHEDIR.TAG"))
        let dumps = base.appendingPathComponent("dumps")
        let line = Self.command(
            try Self.hook("before", "action"),
            [
                "backup_dir": IntegrationSupport.repositoryRoot.appendingPathComponent("backup").path,
                "source_root": source.path, "dump_root": dumps.path,
            ])
        let output = try await IntegrationSupport.run(
            "env", ["BORG_BASE_DIR=\(base.path)/borg-base", "sh", "-c", line])
        #expect(output.succeeded, "\(line)\n\(output.standardError)")

        // Under the names `mediaserver` reads them by: the restore drill, config.yaml's exclude_from.
        let manifest = try String(contentsOf: dumps.appendingPathComponent(BackupPaths.dumpManifest), encoding: .utf8)
        let copied = manifest.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
            String($0.split(separator: "\t")[0])
        }
        #expect(copied == ["a b/ünï code.sqlite3", "jellyfin/config/data/library.db", "sonarr/sonarr.db"])
        for relative in copied {
            #expect(FileManager.default.fileExists(atPath: dumps.appendingPathComponent(relative).path))
        }
        let live = try String(
            contentsOf: dumps.appendingPathComponent(BackupPaths.liveDatabaseExcludes), encoding: .utf8)
        #expect(live.contains("\npp:\(source.path)/sonarr/sonarr.db-wal\n"))
        #expect(!live.contains("logs.db") && !live.contains("cache.db") && !live.contains("sched.db"))
        #expect(output.standardError.contains("Thumbs.db is not an SQLite file"))
        #expect(output.standardError.contains("3 database(s) copied and verified"))
    }

    @Test("pre-backup stops before touching the dumps when borg cannot list the sources")
    func preBackupFailsWhenBorgFails() async throws {
        guard IntegrationSupport.tool("borg") != nil else { return }
        let base = try Self.scratch("pre-backup-fail")
        defer { try? FileManager.default.removeItem(at: base) }
        let source = base.appendingPathComponent("cfg")
        let dumps = base.appendingPathComponent("dumps")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dumps, withIntermediateDirectories: true)
        try Data("kept\n".utf8).write(to: dumps.appendingPathComponent(BackupPaths.dumpManifest))
        let script = IntegrationSupport.repositoryRoot.appendingPathComponent("backup/pre-backup.sh").path
        let output = try await IntegrationSupport.run(
            "env",
            [
                "BORG_BASE_DIR=\(base.path)/borg-base", "sh", script, source.path, dumps.path,
                BackupPaths.dumpManifest, BackupPaths.liveDatabaseExcludes, BackupPaths.runStarted, "--exclude-from",
                base.appendingPathComponent("missing.txt").path,
            ])
        #expect(output.status == 2, "\(output.standardError)")
        #expect(output.standardError.contains("pre-backup: borg create --dry-run failed"), "\(output.standardError)")
        #expect(
            try String(contentsOf: dumps.appendingPathComponent(BackupPaths.dumpManifest), encoding: .utf8) == "kept\n")
    }

    /// The script knows no file name of its own: it writes the manifest, the live-database excludes and the start
    /// time under the names it is given (config.yaml gives it `BackupPaths`'), and restore-dumps.sh reads the
    /// manifest it is given.
    @Test("pre-backup and restore-dumps use the file names they are given")
    func scriptsUseTheNamesTheyAreGiven() async throws {
        guard IntegrationSupport.tool("borg") != nil, let python = IntegrationSupport.tool("python3") else { return }
        let base = try Self.scratch("pre-backup-names")
        defer { try? FileManager.default.removeItem(at: base) }
        let source = base.appendingPathComponent("cfg")
        let dumps = base.appendingPathComponent("dumps")
        let database = source.appendingPathComponent("sonarr/sonarr.db")
        let create =
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('create table t (x)'); c.commit()"
        try FileManager.default.createDirectory(
            at: database.deletingLastPathComponent(), withIntermediateDirectories: true)
        #expect(try await IntegrationSupport.run(python, ["-c", create, database.path]).succeeded)
        let folder = IntegrationSupport.repositoryRoot.appendingPathComponent("backup")
        let output = try await IntegrationSupport.run(
            "env",
            [
                "BORG_BASE_DIR=\(base.path)/borg-base", "sh", folder.appendingPathComponent("pre-backup.sh").path,
                source.path, dumps.path, "copies.list", "live.patterns", "started.stamp",
            ])
        #expect(output.succeeded, "\(output.standardError)")
        let written = try FileManager.default.contentsOfDirectory(atPath: dumps.path).sorted()
        #expect(written == ["copies.list", "live.patterns", "sonarr", "started.stamp"])
        let live = try String(contentsOf: dumps.appendingPathComponent("live.patterns"), encoding: .utf8)
        #expect(live.contains("\npp:\(database.path)\n"))

        let restored = base.appendingPathComponent("restored")
        let restore = try await IntegrationSupport.run(
            "sh",
            [
                folder.appendingPathComponent("restore-dumps.sh").path,
                dumps.appendingPathComponent("copies.list").path, restored.path,
            ])
        #expect(restore.succeeded, "\(restore.standardError)")
        #expect(restore.standardOutput.contains("restore-dumps: restored sonarr/sonarr.db"))
        #expect(FileManager.default.fileExists(atPath: restored.appendingPathComponent("sonarr/sonarr.db").path))

        let missing = try await IntegrationSupport.run(
            "sh", [folder.appendingPathComponent("restore-dumps.sh").path, dumps.path, restored.path])
        #expect(missing.status == 2 && missing.standardError.contains("not found"), "\(missing.standardError)")
    }

    @Test("post-backup writes every backup metric the rules and dashboards may read")
    func postBackupWritesTheMetricsTheRulesRead() async throws {
        let base = try Self.scratch("post-backup")
        defer { try? FileManager.default.removeItem(at: base) }
        let textfile = base.appendingPathComponent("textfile")
        let dumps = base.appendingPathComponent("dumps")
        try FileManager.default.createDirectory(at: textfile, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dumps, withIntermediateDirectories: true)
        let started = Int(Date().timeIntervalSince1970) - 3
        try Data("\(started)\n".utf8).write(to: dumps.appendingPathComponent(BackupPaths.runStarted))
        let prom = textfile.appendingPathComponent("mediaserver_backup.prom")
        // No repository here: the size of an earlier run is kept, as after a failed `borg info`.
        try Data("mediaserver_backup_repository_size_bytes 5\n".utf8).write(to: prom)
        let constants = [
            "backup_dir": IntegrationSupport.repositoryRoot.appendingPathComponent("backup").path,
            "repository_path": base.appendingPathComponent("no-repository").path, "dump_root": dumps.path,
            "textfile_dir": textfile.path,
        ]
        let finish = Self.command(try Self.hook("after", "everything", state: "finish"), constants)
        let output = try await IntegrationSupport.run("sh", ["-c", finish])
        #expect(output.succeeded, "\(finish)\n\(output.standardError)")

        let samples = try String(contentsOf: prom, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").map(String.init) }
        let values = Dictionary(samples.map { ($0[0], $0[1]) }, uniquingKeysWith: { $1 })
        let read = ExportedMetric.all.map(\.name).filter { $0.hasPrefix("mediaserver_backup_") }
        #expect(read.count >= 4)
        for name in read {
            #expect(values[name] != nil, "post-backup.sh does not write \(name)")
        }
        #expect(values["mediaserver_backup_last_status"] == "1")
        #expect(values["mediaserver_backup_repository_size_bytes"] == "5")
        #expect(Int(values["mediaserver_backup_duration_seconds"] ?? "").map { $0 >= 3 } == true)

        let fail = Self.command(try Self.hook("after", "everything", state: "fail"), constants)
        #expect(try await IntegrationSupport.run("sh", ["-c", fail]).succeeded)
        let after = try String(contentsOf: prom, encoding: .utf8)
        #expect(after.contains("\nmediaserver_backup_last_status 0\n"))
        let success = values["mediaserver_backup_last_success_timestamp_seconds"] ?? "?"
        #expect(after.contains("\nmediaserver_backup_last_success_timestamp_seconds \(success)\n"))

        let usage = try await IntegrationSupport.run("sh", [constants["backup_dir", default: ""] + "/post-backup.sh"])
        #expect(usage.status == 2 && usage.standardError.contains("usage: post-backup.sh"))
    }
}
