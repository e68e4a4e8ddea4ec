import Foundation
import MediaStack
import MediaStackOperations
import MediaStackRendering
import Testing

/// The rendered backup files judged by borgmatic and shellcheck, and `mediaserver backup` / `offsite` driven in
/// direct mode against real borg 1.4, borgmatic 2.1 and rclone (`rclone serve sftp` on loopback as the remote).
/// Serialized: the tests share one repository and one remote, and each leaves them usable for the next.
@Suite("Backups with real borg, borgmatic and rclone", .serialized)
struct BackupIntegrationTests {
    static let scripts = ["pre-backup.sh", "post-backup.sh", "offsite.sh", "restore-dumps.sh"]
    /// Shell functions the scripts source from beside them.
    static let sourcedScripts = ["textfile-metrics.sh"]

    @Test func borgmaticValidatesTheCommittedConfig() async throws {
        guard IntegrationSupport.tool("borgmatic") != nil else { return }
        let config = IntegrationSupport.repositoryRoot.appendingPathComponent("backup/config/config.yaml").path
        // No BORG_PASSPHRASE and no relocation: exactly what the container reads.
        let output = try await IntegrationSupport.run("borgmatic", ["config", "validate", "-c", config])
        #expect(output.succeeded, "\(output.standardError)\(output.standardOutput)")
        #expect((output.standardOutput + output.standardError).contains("All configuration files are valid"))
        #expect(!(output.standardOutput + output.standardError).contains("deprecated"))
    }

    @Test func shellcheckPassesEveryRenderedScript() async throws {
        guard IntegrationSupport.tool("shellcheck") != nil else { return }
        let paths = Self.scripts.map { IntegrationSupport.repositoryRoot.appendingPathComponent("backup/\($0)").path }
        for path in paths {
            #expect(FileManager.default.isExecutableFile(atPath: path), "\(path) is not executable")
        }
        // Given together, so shellcheck follows each `. textfile-metrics.sh` into the file it sources.
        let sourced = Self.sourcedScripts.map {
            IntegrationSupport.repositoryRoot.appendingPathComponent("backup/\($0)").path
        }
        let output = try await IntegrationSupport.run("shellcheck", paths + sourced)
        #expect(output.succeeded, "\(output.standardOutput)")
    }

    @Test("a full cycle while the apps write their databases: create, list, check, prune, restore drill")
    func fullCycle() async throws {
        guard let lab = try await BackupLab.shared() else { return }
        #expect(
            try String(
                contentsOf: lab.checkout.appendingPathComponent("deploy/backup/config/config.yaml"), encoding: .utf8
            )
            .contains("{source_root}/jellyseerr\"\n"))
        let stop = lab.base.appendingPathComponent("stop-writer")
        try? FileManager.default.removeItem(at: stop)
        let python = try #require(SubprocessRunner.locate("python3", in: lab.environment))
        let writer = try BackgroundProcess(
            python, [BackupLab.fixtures.appendingPathComponent("writer.py").path, lab.sources.path, stop.path],
            environment: lab.environment, log: lab.base.appendingPathComponent("writer.log"))
        defer {
            _ = FileManager.default.createFile(atPath: stop.path, contents: nil)
            writer.stop()
        }
        #expect(try await writer.waitFor("writing"))
        let before = try await lab.archiveNames().count

        let first = try await lab.mediaserver(["backup", "run", "--create-only", "--json"])
        #expect(first.succeeded, "\(first.standardError)")
        let created = try await lab.archiveNames()
        #expect(created.count == before + 1, "\(created)")
        #expect(first.standardError.contains("borgmatic create …"), "progress on stderr")
        #expect(lab.metric("mediaserver_backup_last_status") == "1")
        #expect(
            lab.metric("mediaserver_backup_last_success_timestamp_seconds")
                == lab.metric("mediaserver_backup_last_run_timestamp_seconds"))
        #expect(Int(lab.metric("mediaserver_backup_repository_size_bytes") ?? "") ?? 0 > 1_000_000)
        try await Task.sleep(for: .seconds(1.1))  // archive names have one-second resolution
        // The 03:30 job: create, prune, compact, check. Prune keeps one archive a day (the newest) and, while the
        // monthly and yearly quotas are not met, the oldest: of the three today, the middle one goes.
        let second = try await lab.mediaserver(["backup", "run", "--json"])
        #expect(second.succeeded, "\(second.standardError)")
        #expect(second.standardError.contains("borgmatic create, prune, compact, check"))
        let archives = try await lab.archiveNames()
        #expect(archives.last == BackupLab.object(second)["archive"] as? String, "\(archives)")
        #expect(!archives.contains(created.last ?? "") || before == 0, "prune kept \(archives)")
        #expect(archives.count <= 2, "\(archives)")
        #expect(archives.allSatisfy { $0.hasPrefix("mediaserver-") })

        // The excludes and the live databases stay out of the archive; the consistent copies are in.
        let listing = try await lab.borg(["list", "--short", "\(lab.repository.path)::\(archives.last ?? "")"])
        #expect(listing.succeeded, "\(listing.standardError)")
        let paths = listing.standardOutput.split(separator: "\n").map(String.init)
        for excluded in [
            "jellyfin/cache", "config/log/", "Plex Media Server/Media/", "Plex Media Server/Cache/", "sonarr/logs/",
            "MediaCover", "tautulli/backups", "sabnzbd/Downloads/incomplete", "borgmatic/borg-cache", "grafana/png",
            "grafana/plugins/cached/blob", "sonarr.pid", "upgrade.tmp", "library.db-2026",
            "borgmatic/borg-config/security", "borgmatic/state",
        ] {
            #expect(!paths.contains { $0.contains(excluded) }, "\(excluded) is in the archive")
        }
        #expect(!paths.contains { $0.hasSuffix(lab.sources.path.dropFirst() + "/sonarr/sonarr.db") })
        #expect(!paths.contains { $0.hasSuffix("-wal") || $0.hasSuffix("-shm") })
        #expect(paths.contains { $0.hasSuffix("-dumps/sonarr/sonarr.db") })
        // borgmatic's runtime folder is archived (its bootstrap manifest), which is what its own dry-run walk before
        // create would check; config.yaml skips that walk (unsafe_skip_path_validation_before_create).
        #expect(paths.contains { $0.hasSuffix("borgmatic/bootstrap/manifest.json") }, "no bootstrap manifest")
        for kept in [
            "Plex Media Server/Metadata/", "sonarr/asp/key-1.xml", "Definitions/Custom", "data/Thumbs.db",
            "borgmatic/borg-config/keys/",
        ] {
            #expect(paths.contains { $0.contains(kept) }, "\(kept) is missing from the archive")
        }

        let verify = try await lab.mediaserver(["backup", "verify"])
        #expect(verify.succeeded, "\(verify.standardError)")

        // Stop writing, then drill: everything but the live databases must come back byte for byte.
        _ = FileManager.default.createFile(atPath: stop.path, contents: nil)
        writer.wait()
        let third = try await lab.mediaserver(["backup", "run", "--create-only"])
        #expect(third.succeeded, "\(third.standardError)")
        let scratch = lab.base.appendingPathComponent("drill")
        let drill = try await lab.mediaserver([
            "backup", "restore-drill", "--json", "--keep", "--scratch", scratch.path,
        ])
        #expect(drill.succeeded, "\(drill.standardOutput)\(drill.standardError)")
        let report = BackupLab.object(drill)
        #expect((report["differences"] as? [Any])?.isEmpty == true, "\(report)")
        #expect((report["filesCompared"] as? Int ?? 0) > 20)
        #expect((report["databasesRestored"] as? Int ?? 0) >= 14)
        #expect((report["rpoSeconds"] as? Int).map { $0 >= 0 && $0 < 600 } == true)
        #expect(report["rtoSeconds"] is Double)

        // Every restored database is whole and consistent: one episode per series, whatever the writer did.
        let restored = scratch.appendingPathComponent("extracted").path + lab.sources.path
        let manifest = try String(
            contentsOfFile: scratch.appendingPathComponent("extracted").path + lab.repository.path
                + "-dumps/" + BackupPaths.dumpManifest,
            encoding: .utf8
        ).split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { $0.split(separator: "\t").first }
        #expect(manifest.count >= 14)
        for relative in manifest {
            let database = "\(restored)/\(relative)"
            let check = try await lab.run("sqlite3", [database, "PRAGMA integrity_check"])
            #expect(check.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(relative)")
            let counts = try await lab.run(
                "sqlite3",
                [database, "select (select count(*) from series) = (select count(*) from episodes)"])
            #expect(
                counts.standardOutput.hasPrefix("1"), "\(relative): \(counts.standardOutput)\(counts.standardError)")
        }
        try? FileManager.default.removeItem(at: scratch)
    }

    @Test("a drill without --keep removes its restore as it goes, and keeps what borg still links to")
    func drillReleasesItsRestore() async throws {
        guard let lab = try await BackupLab.shared() else { return }
        // A hard-linked pair far apart in the archive (the first and the last service folder): borg extracts the
        // first link and links the second to it much later, so the comparison, which has long compared the first,
        // must not have removed it.
        let first = lab.sources.appendingPathComponent("jellyfin/hard-first.bin")
        let second = lab.sources.appendingPathComponent("grafana/hard-second.bin")
        try FileManager.default.createDirectory(
            at: first.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(repeating: 42, count: 100_000).write(to: first)
        try? FileManager.default.removeItem(at: second)
        try FileManager.default.linkItem(at: first, to: second)
        // Incompressible data between the two keeps borg busy long after the comparison has read the first link.
        let between = lab.sources.appendingPathComponent("plex/between.bin")
        let random = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom"))
        try random.readData(ofLength: 96 << 20).write(to: between)
        try random.close()
        defer {
            for file in [first, second, between] { try? FileManager.default.removeItem(at: file) }
        }
        let backup = try await lab.mediaserver(["backup", "run", "--create-only"])
        #expect(backup.succeeded, "\(backup.standardError)")
        let scratch = lab.base.appendingPathComponent("drill-release")
        let drill = try await lab.mediaserver(["backup", "restore-drill", "--json", "--scratch", scratch.path])
        #expect(drill.succeeded, "\(drill.standardOutput)\(drill.standardError)")
        let report = BackupLab.object(drill)
        #expect((report["differences"] as? [Any])?.isEmpty == true, "\(report)")
        #expect((report["filesCompared"] as? Int ?? 0) > 20)
        #expect(!FileManager.default.fileExists(atPath: scratch.path), "the scratch folder is removed")
    }

    @Test("a wrong passphrase fails with its cause; the metrics keep the last success; no archive is lost")
    func wrongPassphrase() async throws {
        guard let lab = try await BackupLab.shared() else { return }
        _ = try await lab.mediaserver(["backup", "run", "--create-only"])
        let archives = try await lab.archiveNames()
        let lastSuccess = lab.metric("mediaserver_backup_last_success_timestamp_seconds")
        let size = lab.metric("mediaserver_backup_repository_size_bytes")
        let output = try await lab.mediaserver(
            ["backup", "run", "--create-only"], extra: ["BORG_PASSPHRASE": "not the passphrase"])
        #expect(output.status == 1)
        #expect(output.standardError.contains("[wrong-passphrase]"), "\(output.standardError)")
        #expect(output.standardError.contains("fix: set BORG_PASSPHRASE"))
        #expect(!output.standardError.contains("not the passphrase"), "the passphrase must never be printed")
        #expect(lab.metric("mediaserver_backup_last_status") == "0")
        #expect(lab.metric("mediaserver_backup_last_success_timestamp_seconds") == lastSuccess)
        #expect(lab.metric("mediaserver_backup_repository_size_bytes") == size, "size keeps its previous value")
        #expect(try await lab.archiveNames() == archives)
    }

    @Test("a missing or uninitialised repository fails with its cause and the fix")
    func missingRepository() async throws {
        guard let lab = try await BackupLab.shared() else { return }
        let missing = lab.base.appendingPathComponent("no-such-repo").path
        let output = try await lab.mediaserver(["backup", "run", "--create-only", "--repository", missing])
        #expect(output.status == 1)
        #expect(output.standardError.contains("[missing-repository]"), "\(output.standardError)")
        #expect(output.standardError.contains("mediaserver backup init"))
        let empty = lab.base.appendingPathComponent("empty-repo")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let uninitialised = try await lab.mediaserver(["backup", "list", "--repository", empty.path])
        #expect(uninitialised.status == 1)
        #expect(uninitialised.standardError.contains("[missing-repository]"), "\(uninitialised.standardError)")
    }

    @Test("a missing source folder fails with the folder named")
    func missingSource() async throws {
        guard let lab = try await BackupLab.shared() else { return }
        // A config root where bazarr never started: every other folder is there.
        let partial = lab.base.appendingPathComponent("partial-config")
        try? FileManager.default.removeItem(at: partial)
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: lab.sources.path) where name != "bazarr" {
            try FileManager.default.createDirectory(
                at: partial.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        let archives = try await lab.archiveNames()
        let output = try await lab.mediaserver(["backup", "run", "--create-only", "--source-root", partial.path])
        #expect(output.status == 1)
        #expect(output.standardError.contains("[missing-source]"), "\(output.standardError)")
        #expect(output.standardError.contains("partial-config/bazarr"))
        #expect(output.standardError.contains("DISABLED_SERVICES"))
        #expect(try await lab.archiveNames() == archives)
    }

    @Test("a backup killed mid-way: the next run succeeds, earlier archives stay, borg check passes")
    func killedMidway() async throws {
        guard let lab = try await BackupLab.shared() else { return }
        let archives = try await lab.archiveNames()
        // New incompressible data, so borg create has real work to be killed in.
        let fresh = lab.sources.appendingPathComponent("jellyfin/config/metadata/new.bin")
        _ = try await lab.run("sh", ["-c", "head -c \(48 << 20) /dev/urandom > '\(fresh.path)'"])
        let executable = try IntegrationSupport.executable()
        let run = try BackgroundProcess(
            executable, ["backup", "run", "--create-only", "--direct", "--root", lab.checkout.path],
            environment: lab.environment, log: lab.base.appendingPathComponent("killed-run.log"))
        // Kill borg itself as soon as `borg create` runs, as an OOM kill or power cut would.
        var killed = false
        let deadline = Date().addingTimeInterval(60)
        while !killed && Date() < deadline && run.process.isRunning {
            for pid in Self.processes(containing: ["borg", "create", lab.repository.path]) {
                kill(pid, SIGKILL)
                killed = true
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        run.wait()
        #expect(killed, "borg create was never seen running")
        #expect(run.process.terminationStatus == 1, "\(run.output)")
        #expect(run.output.contains("[killed]"), "\(run.output)")
        let next = try await lab.mediaserver(["backup", "run", "--create-only"])
        #expect(next.succeeded, "\(next.standardError)")
        let after = try await lab.archiveNames()
        #expect(Set(archives).isSubset(of: Set(after)) && after.count == archives.count + 1, "\(archives) → \(after)")
        let check = try await lab.borg(["check", lab.repository.path])
        #expect(check.succeeded, "\(check.standardError)")
        let verify = try await lab.mediaserver(["backup", "verify"])
        #expect(verify.succeeded, "\(verify.standardError)")
    }

    @Test("off-site: sync, unreachable remote, sync while borg holds the lock, local repository gone")
    func offsite() async throws {
        guard let lab = try await BackupLab.shared() else { return }
        let remote = try await SFTPRemote.start(lab)
        defer { remote.server.stop() }
        let rclone = try await remote.environment(lab)
        // offsite.sh writes its metrics only into a textfile folder that exists (node_exporter's).
        try FileManager.default.createDirectory(at: lab.textfile, withIntermediateDirectories: true)

        let sync = try await lab.mediaserver(["offsite", "sync"], extra: rclone)
        #expect(sync.succeeded, "\(sync.standardError)")
        #expect(sync.standardOutput.contains("synced and checked"))
        let copy = lab.remoteRoot.appendingPathComponent("mediaserver-borg")
        #expect(FileManager.default.fileExists(atPath: copy.appendingPathComponent("config").path))
        #expect(!FileManager.default.fileExists(atPath: copy.appendingPathComponent("lock.roster").path))
        func metric(_ name: String) -> String? {
            lab.metric("mediaserver_offsite_" + name, file: "mediaserver_offsite.prom")
        }
        #expect(metric("last_status") == "1")
        let synced = try #require(metric("last_success_timestamp_seconds"))
        #expect(Int(synced).map { $0 > 0 } == true)

        // Remote unreachable: a port nothing listens on. The last success is kept, read back from the metrics.
        let closed = try await remote.environment(lab, port: 1)
        let unreachable = try await lab.mediaserver(["offsite", "sync"], extra: closed)
        #expect(unreachable.status == 1)
        #expect(unreachable.standardError.contains("[remote-unreachable]"), "\(unreachable.standardError)")
        #expect(metric("last_status") == "0")
        #expect(metric("last_success_timestamp_seconds") == synced)

        // Borg holds the lock (a backup running): a short wait gives up with the cause; the remote is untouched.
        let snapshot = Self.listing(copy)
        let borg = try #require(SubprocessRunner.locate("borg", in: lab.environment))
        let holder = try BackgroundProcess(
            borg, ["with-lock", lab.repository.path, "sh", "-c", "echo locked; sleep 6"],
            environment: lab.environment.merging(["BORG_PASSPHRASE": lab.passphrase]) { $1 },
            log: lab.base.appendingPathComponent("lock-holder.log"))
        #expect(try await holder.waitFor("locked"))
        let locked = try await lab.mediaserver(["offsite", "sync", "--lock-wait", "1"], extra: rclone)
        holder.wait()
        #expect(locked.status == 1)
        #expect(locked.standardError.contains("[lock-timeout]"), "\(locked.standardError)")
        #expect(Self.listing(copy) == snapshot, "the remote changed during a refused sync")

        // The local repository disappears (disk not mounted): the sync refuses, the remote copy survives.
        let aside = lab.base.appendingPathComponent("repo-aside")
        try FileManager.default.moveItem(at: lab.repository, to: aside)
        let gone = try await lab.mediaserver(["offsite", "sync"], extra: rclone)
        try FileManager.default.moveItem(at: aside, to: lab.repository)
        #expect(gone.status == 1)
        #expect(gone.standardError.contains("[refused]"), "\(gone.standardError)")
        #expect(gone.standardError.contains("remote copy stays intact"))
        #expect(Self.listing(copy) == snapshot)

        // The copy restores: fetched with a separate Borg home, break-lock, borg check and borg list pass.
        let check = try await lab.mediaserver(["offsite", "check", "--json"], extra: rclone)
        #expect(check.succeeded, "\(check.standardError)")
        let report = BackupLab.object(check)
        #expect((report["archives"] as? Int ?? 0) >= 1, "\(report)")
    }

    /// Relative path, size and modification time of every file under `url`.
    static func listing(_ url: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: url.path) else { return [] }
        var lines: [String] = []
        while let path = enumerator.nextObject() as? String {
            let attributes = enumerator.fileAttributes ?? [:]
            lines.append("\(path) \(attributes[.size] ?? 0) \(attributes[.modificationDate] ?? "")")
        }
        return lines.sorted()
    }

    /// Pids whose command line contains every word of `words`.
    static func processes(containing words: [String]) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { return nil }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard let program = arguments.first,
                program.hasSuffix("/borg") || program == "borg"
                    || (arguments.count > 1 && arguments[1].hasSuffix("/borg"))
            else { return nil }
            return words.allSatisfy { word in arguments.contains { $0.contains(word) } } ? pid : nil
        }
    }
}
