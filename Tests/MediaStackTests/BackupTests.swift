import Foundation
import MediaStack
import MediaStackOperations
import MediaStackRendering
import Testing
import Yams

@Suite("Backup rendering, patterns and failure causes")
struct BackupTests {
    static func files(_ overrides: [String: String] = [:]) throws -> [RenderedFile] {
        try TestSupport.render(try TestSupport.settings(overriding: overrides))
    }

    @Test func sourcesAreTheEnabledServicesThatKeepState() throws {
        let config = TestSupport.file(
            try Self.files(["DISABLED_SERVICES": "plex,overseerr,tautulli"]), BackupPaths.configFile)
        for kept in [
            "jellyfin", "jellyseerr", "sonarr", "radarr", "prowlarr", "sabnzbd", "bazarr", "borgmatic", "grafana",
        ] {
            #expect(config.contains("  - \"{source_root}/\(kept)\"\n"), "\(kept) is not a source")
        }
        // Disabled (borgmatic refuses a missing source folder), or nothing worth keeping (recyclarr, fail2ban, …).
        for left in ["plex", "overseerr", "tautulli", "recyclarr", "fail2ban", "prometheus", "homepage"] {
            #expect(!config.contains("{source_root}/\(left)\""), "\(left) is a source")
        }
        #expect(config.contains("  - \"{dump_root}\"\n"))
        #expect(config.contains("encryption_passphrase: \"${BORG_PASSPHRASE}\""))
        #expect(!config.contains("CHANGE_ME"))
    }

    @Test func excludesFollowTheCatalogAndLeaveDisabledServicesOut() throws {
        let excludes = TestSupport.file(try Self.files(["DISABLED_SERVICES": "plex"]), BackupPaths.excludesFile)
        #expect(excludes.contains("sh:**/jellyfin/cache\n"))
        #expect(excludes.contains("sh:**/sonarr/MediaCover\n"))
        #expect(excludes.contains("sh:**/radarr/Sentry\n"))
        #expect(excludes.contains("sh:**/borgmatic/borg-cache\n"))
        #expect(!excludes.contains("plex/"))
        for line in excludes.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.hasPrefix("sh:**/"), "\(line) would not match wherever the config root is mounted")
        }
    }

    /// The scripts as they are in the source tree, read without the bundle: the test also proves the build copied
    /// them as they are.
    static let scriptSources = TestSupport.repositoryRoot.appendingPathComponent(
        "Sources/MediaStackRendering/Scripts/backup")

    @Test("each script renders as its package resource, byte for byte", arguments: BackupScripts.all)
    func scriptRendersAsItsResource(script: BackupScripts.Script) throws {
        let file = try #require(try Self.files().first { $0.path == script.renderedPath })
        let source = try String(contentsOf: Self.scriptSources.appendingPathComponent(script.name), encoding: .utf8)
        #expect(file.contents == source, "\(script.renderedPath) is not \(script.name) of the package")
        // A shell script is run, unless it only holds functions the others source (it has no `#!` line).
        #expect(file.executable == (script.name.hasSuffix(".sh") && source.hasPrefix("#!")))
        #expect(file.contents.contains("Rendered to backup/ by `mediaserver render` from Sources/"))
    }

    @Test func everyScriptOfThePackageIsRendered() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.scriptSources.path)
        #expect(Set(names) == Set(BackupScripts.all.map(\.name)))
    }

    /// pre-backup.sh's `borg create --dry-run` must select what create archives: the options config.yaml sets, as
    /// the borg flags borgmatic makes of them, and every excludes file but the one pre-backup.sh writes. Before them,
    /// the names of the files it writes: the ones `mediaserver` reads, config.yaml excludes, and post-backup.sh reads.
    @Test func preBackupIsHandedTheSelectionOfCreate() throws {
        let text = TestSupport.file(try Self.files(), BackupPaths.configFile)
        let config = try #require(try Yams.load(yaml: text) as? [String: Any])
        let hooks = try #require(config["commands"] as? [[String: Any]])
        let before = try #require(hooks.first { $0["before"] as? String == "action" }?["run"] as? [String])
        let words = try #require(before.first).split(separator: " ").map(String.init)
        #expect(
            words.prefix(6) == [
                "{backup_dir}/pre-backup.sh", "{source_root}", "{dump_root}", BackupPaths.dumpManifest,
                BackupPaths.liveDatabaseExcludes, BackupPaths.runStarted,
            ])
        var expected: [String] = []
        if config["one_file_system"] as? Bool == true { expected.append("--one-file-system") }
        if config["exclude_caches"] as? Bool == true { expected.append("--exclude-caches") }
        let excludeFrom = try #require(config["exclude_from"] as? [String])
        #expect(excludeFrom.contains("{dump_root}/\(BackupPaths.liveDatabaseExcludes)"))
        for file in excludeFrom where !file.hasPrefix("{dump_root}/") {
            expected += ["--exclude-from", file]
        }
        #expect(expected.count == 4, "\(expected)")
        #expect(Array(words.dropFirst(6)) == expected)
    }

    @Test func scriptsAreExecutableAndCrontabsMatchTheSeed() throws {
        let files = try Self.files()
        #expect(
            TestSupport.file(files, BackupPaths.backupCrontab).contains(
                "\n30 3 * * * borgmatic-start --stats -v 0 2>&1\n"))
        #expect(
            TestSupport.file(files, BackupPaths.offsiteCrontab).contains(
                "\n10 4 * * * /command/with-contenv sh /etc/mediaserver/backup/offsite.sh /mnt/borg-repository /textfile 2>&1\n"
            ))
    }

    @Test func disablingTheJobsRemovesTheirFiles() throws {
        let withoutOffsite = try Self.files(["DISABLED_SERVICES": "rclone"]).map(\.path)
        #expect(withoutOffsite.contains(BackupPaths.configFile))
        #expect(!withoutOffsite.contains(BackupPaths.offsiteCrontab) && !withoutOffsite.contains("backup/offsite.sh"))
        let none = try Self.files(["DISABLED_SERVICES": "borgmatic,rclone"]).map(\.path)
        #expect(!none.contains { $0.hasPrefix("backup/") })
    }

    @Test func theContainersMountEveryPathTheConfigNames() throws {
        let stack = Stack(settings: try TestSupport.settings(overriding: [:]))
        let borgmatic = try #require(stack.service("borgmatic"))
        let targets = Set(borgmatic.mounts.map(\.target))
        for path in [
            BackupPaths.backupDirectory, BackupPaths.configDirectory, BackupPaths.sourceRoot, BackupPaths.dumpRoot,
            BackupPaths.repository, BackupPaths.textfileDirectory,
        ] {
            #expect(targets.contains(path), "mediaserver-backup does not mount \(path)")
        }
        let rclone = try #require(stack.service("rclone"))
        // offsite.sh's paths, from the crontab line.
        #expect(
            Set(rclone.mounts.map(\.target)).isSuperset(of: [
                BackupPaths.backupDirectory, BackupPaths.repository, BackupPaths.textfileDirectory,
            ]))
    }

    @Test(
        "Borg patterns match as borg create does",
        arguments: [
            ("sh:**/sonarr/logs", "/mnt/source/sonarr/logs", true),
            ("sh:**/sonarr/logs", "mnt/source/sonarr/logs/sonarr.txt", true),
            ("sh:**/sonarr/logs", "mnt/source/sonarr/logs.db", false),
            ("sh:**/*.tmp", "tmp/x/config/radarr/upgrade.tmp", true),
            (
                "sh:**/plex/config/Library/Application Support/Plex Media Server/Plug-in Support/Databases/*.db-20[0-9][0-9]-*",
                "m/plex/config/Library/Application Support/Plex Media Server/Plug-in Support/Databases/a.db-2026-11-20",
                true
            ),
            ("sh:**/x/*.db", "m/x/sub/a.db", false),
            ("fm:*/x/*.db", "m/x/sub/a.db", true),
            ("pp:/srv/cfg/sonarr/sonarr.db", "srv/cfg/sonarr/sonarr.db", true),
            ("pp:/srv/cfg/sonarr/sonarr.db", "srv/cfg/sonarr/sonarr.db-wal", false),
            ("re:\\.bak$", "a/b/c.bak", true),
        ])
    func borgPatterns(pattern: String, path: String, excluded: Bool) {
        #expect(BorgPatterns(lines: [pattern]).excludes(path) == excluded)
    }

    static func failure(_ stderr: String, status: Int32 = 1) -> BackupError {
        BackupError.explain(
            step: "test",
            output: ProcessOutput(arguments: ["borgmatic"], status: status, standardOutput: "", standardError: stderr),
            secrets: ["hunter2-secret"])
    }

    @Test(
        "each known failure gets its cause",
        arguments: [
            (
                "Passphrase supplied in BORG_PASSPHRASE, by BORG_PASSCOMMAND, or via BORG_PASSPHRASE_FD is incorrect.",
                BackupError.Cause.wrongPassphrase
            ),
            ("/etc/borgmatic.d/config.yaml: Cannot find variable BORG_PASSPHRASE in environment", .missingPassphrase),
            ("Repository /x/no-such-repo does not exist.", .missingRepository),
            ("/x/empty is not a valid repository. Check repo config.", .missingRepository),
            ("Source directories or root pattern paths do not exist: /x/src/bazarr", .missingSource),
            ("Failed to create/acquire the lock /x/repo/lock.exclusive (timeout).", .lockTimeout),
            (
                "CRITICAL: Failed to create file system for \"offsite:b/config\": NewFs: couldn't connect SSH: dial tcp"
                    + " 127.0.0.1:1: connect: connection refused", .remoteUnreachable
            ),
            (
                "offsite: REFUSED: local repository /x/repo does not exist (not mounted?); not syncing so the remote"
                    + " copy stays intact", .refused
            ),
            ("ERROR : Cancelling sync due to fatal error: --max-delete threshold reached", .deleteGuard),
            ("pre-backup: FAILED bazarr/db/bazarr.db: integrity_check: *** in database main ***", .databaseCopy),
            ("Command 'borg create …' died with <Signals.SIGKILL: 9>.", .killed),
            ("/mnt/source/sonarr/private: open: [Errno 13] Permission denied: 'private'", .unreadableSource),
        ])
    func knownFailures(stderr: String, cause: BackupError.Cause) {
        let error = Self.failure(stderr)
        #expect(error.cause == cause, "\(error)")
        #expect(!error.fix.isEmpty)
    }

    @Test func secretsAndNoiseNeverReachTheMessage() {
        let error = Self.failure(
            """
            borg: something odd with hunter2-secret
            Exception ignored in: <function _TemporaryFileCloser.__del__ at 0x7f>
            """)
        #expect(error.cause == .other)
        #expect(!error.message.contains("hunter2-secret") && error.message.contains("***"))
        #expect(!error.detail.joined().contains("hunter2-secret"))
    }
}
