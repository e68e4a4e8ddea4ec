import ArgumentParser
import Foundation
import MediaStack
import MediaStackOperations

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Run, list, verify and prove the Borg backups.",
        discussion: """
            Runs the rendered backup/config/config.yaml: in the mediaserver-backup container through \
            `docker compose exec` (default), or with --direct using this host's borg and borgmatic, relocating \
            the container paths to CONFIG_ROOT and BACKUP_ROOT (or the --source-root/--repository given).

            Examples:
              mediaserver backup run                   the 03:30 job now
              mediaserver backup list --json
              mediaserver backup verify --data         check every chunk now
              mediaserver backup restore-drill --json  restore the latest, compare
              mediaserver backup run --direct --repository /mnt/usb/borg

            Exit codes: 0 ok, 1 failed (one line with the cause and the fix), 2 invalid settings, 64 usage.
            """,
        subcommands: [Init.self, Run.self, List.self, Verify.self, RestoreDrill.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the Borg repository (repokey-blake2, passphrase from BORG_PASSPHRASE).",
            discussion: "Afterwards export the key and keep it off this machine with the passphrase (docs/restore.md).")

        @OptionGroup var options: BackupOptions

        func validate() throws { try options.validateBackup() }

        func run() async throws {
            let driver = try await options.loadDriver()
            let result = try await options.report { try await Interruption.run { try await driver.initialize() } }
            struct Report: Encodable {
                let ok: Bool
                let created: Bool
                let keyExport: String
            }
            switch result {
            case .created:
                if options.json {
                    try Console.json(Report(ok: true, created: true, keyExport: driver.keyExportCommand))
                } else {
                    Console.output(
                        """
                        repository created
                        now export its key and keep it off this machine, with BORG_PASSPHRASE (a password manager, a
                        printout): without both no archive restores (docs/restore.md, "Before you need it")
                          \(driver.keyExportCommand)
                        """)
                }
            case .alreadyExists(let path):
                try options.emit(
                    Report(ok: true, created: false, keyExport: driver.keyExportCommand),
                    text: "a Borg repository already exists at \(path); it was left alone")
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Back up now: create, prune, compact and check, as the 03:30 job does.")

        @OptionGroup var options: BackupOptions

        @Flag(help: "Only create the archive (no prune, compact or check).")
        var createOnly = false

        func validate() throws { try options.validateBackup() }

        struct Report: Encodable {
            let ok: Bool
            let seconds: Double
            let archive: String?
        }

        func run() async throws {
            let driver = try await options.loadDriver()
            let clock = ContinuousClock()
            let start = clock.now
            let output = try await options.report {
                try await Interruption.run { try await driver.run(createOnly: createOnly) }
            }
            let seconds = BackupDriver.seconds(clock.now - start)
            let archive = BorgmaticOutput.archiveName(in: output)
            try options.emit(
                Report(ok: true, seconds: seconds, archive: archive),
                text: String(format: "backup done in %.1f s%@", seconds, archive.map { ": \($0)" } ?? ""))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the archives, oldest first, with their age.")

        @OptionGroup var options: BackupOptions

        func validate() throws { try options.validateBackup() }

        struct Entry: Encodable {
            let name: String
            let start: Date
            let ageSeconds: Int
        }

        func run() async throws {
            let driver = try await options.loadDriver()
            let archives = try await options.report { try await Interruption.run { try await driver.archives() } }
            let now = Date()
            let entries = archives.map {
                Entry(name: $0.name, start: $0.start, ageSeconds: Int(now.timeIntervalSince($0.start)))
            }
            if options.json {
                try Console.json(entries)
            } else if entries.isEmpty {
                Console.output("no archives yet: run `mediaserver backup run`")
            } else {
                for entry in entries { Console.output("\(entry.name)  \(Self.age(entry.ageSeconds)) ago") }
            }
        }

        static func age(_ seconds: Int) -> String {
            switch seconds {
            case ..<120: "\(seconds) s"
            case ..<7200: "\(seconds / 60) min"
            case ..<172_800: "\(seconds / 3600) h"
            default: "\(seconds / 86400) days"
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the repository and the archives now (borg check), whatever the schedule.")

        @OptionGroup var options: BackupOptions

        @Flag(help: "Also read and verify every data chunk (slow: reads the whole repository).")
        var data = false

        func validate() throws { try options.validateBackup() }

        func run() async throws {
            let driver = try await options.loadDriver()
            try await options.report { try await Interruption.run { try await driver.verify(data: data) } }
            try options.emit(["ok": true], text: "repository and archives are consistent")
        }
    }

    struct RestoreDrill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore-drill",
            abstract: "Restore the latest archive into a scratch folder and compare it with the sources by content.",
            discussion: """
                Extracts the latest archive, puts the consistent database copies back (each checked against its \
                SHA-256 and with PRAGMA integrity_check), then compares every other file with the live sources \
                byte for byte, honouring backup/excludes.txt. Reports the archive's age (RPO) and the time the \
                restore took (RTO). Exits 1 on any difference; a file changed since the archive was made counts.

                The comparison runs while borg extracts. Without --keep, each restored file is removed as soon as \
                it compared equal, so the scratch folder holds little more than what borg has extracted ahead of \
                the comparison, and little is left to remove at the end; with --keep the whole restored tree \
                stays, ready to copy back (docs/restore.md).

                Examples:
                  mediaserver backup restore-drill
                  mediaserver backup restore-drill --json
                  mediaserver backup restore-drill --keep --scratch /var/tmp/mediaserver-restore
                """)

        @OptionGroup var options: BackupOptions
        @OptionGroup var scratchFolder: ScratchOptions

        func validate() throws { try options.validateBackup() }

        func run() async throws {
            let driver = try await options.loadDriver()
            let folder = scratchFolder.folder(named: "mediaserver-restore-drill")
            let report = try await options.report {
                try await MediaStackOperations.RestoreDrill(driver: driver).run(
                    scratch: folder, keep: scratchFolder.keep)
            }
            if options.json {
                try Console.json(report)
            } else {
                Console.output("archive:     \(report.archive) (\(List.age(report.rpoSeconds)) old = RPO)")
                Console.output(
                    String(
                        format: "restore:     %.1f s (RTO; extract %.1f s, compare %.1f s)", report.rtoSeconds,
                        report.extractSeconds, report.compareSeconds))
                Console.output(
                    "compared:    \(report.filesCompared) files, \(report.bytesCompared) bytes;"
                        + " \(report.databasesRestored) databases from consistent copies;"
                        + " \(report.excludedPaths) excluded paths")
                if let kept = report.scratch { Console.output("kept in:     \(kept)") }
                for difference in report.differences {
                    Console.output("DIFFERS  \(difference.path): \(difference.problem)")
                }
                Console.output(
                    report.identical ? "result:      identical" : "result:      \(report.differences.count) differences"
                )
            }
            if !report.identical { throw ExitCode.failure }
        }
    }
}

struct OffsiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offsite",
        abstract: "Copy the Borg repository off-site under Borg's lock, and prove the copy restores.",
        discussion: """
            `sync` runs backup/offsite.sh (in the rclone_backup container, or with --direct on this host): it \
            refuses to run when the local repository is missing or is another repository, holds Borg's lock for \
            the whole copy, moves remote deletions to <remote>-deleted/<date>, stops after OFFSITE_MAX_DELETE \
            deletions and checks the copy inside the lock. `check` fetches the remote copy into a scratch folder \
            and runs borg check and borg list on it with a separate Borg home, as a disaster recovery would.

            Examples:
              mediaserver offsite sync
              mediaserver offsite check --direct --json

            Exit codes: 0 ok, 1 failed (one line with the cause and the fix), 2 invalid settings, 64 usage.
            """,
        subcommands: [Sync.self, Check.self])

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Copy the repository to RCLONE_REMOTE now.")

        @OptionGroup var options: BackupOptions

        func validate() throws { try options.validateBackup() }

        func run() async throws {
            let driver = try await options.loadDriver()
            try await options.report { try await Interruption.run { try await driver.offsiteSync() } }
            try options.emit(["ok": true], text: "off-site copy synced and checked")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch the off-site copy and run borg check and borg list on it.")

        @OptionGroup var options: BackupOptions
        @OptionGroup var scratchFolder: ScratchOptions

        func validate() throws { try options.validateBackup() }

        func run() async throws {
            let driver = try await options.loadDriver()
            let folder = scratchFolder.folder(named: "mediaserver-offsite-check")
            defer { if !scratchFolder.keep { try? FileManager.default.removeItem(at: folder) } }
            let report = try await options.report { try await driver.offsiteCheck(scratch: folder) }
            if options.json {
                try Console.json(report)
            } else {
                Console.output(
                    "off-site copy at \(report.remote): borg check passed, \(report.archives) archives"
                        + (report.latestArchive.map { ", latest \($0)" } ?? "")
                        + (report.latestArchiveAgeSeconds.map { " (\(BackupCommand.List.age($0)) old)" } ?? ""))
            }
        }
    }
}

/// Where `restore-drill` and `offsite check` put what they fetch, and whether it stays.
struct ScratchOptions: ParsableArguments {
    @Option(help: "Scratch folder (default: a new folder under the temporary folder).")
    var scratch: String?

    @Flag(help: "Keep the scratch folder afterwards (its path is printed).")
    var keep = false

    /// Called by ArgumentParser as it decodes the option group (OptionGroup's `init(from:)`), before the command's
    /// own `validate()`.
    func validate() throws {
        if let scratch, !scratch.hasPrefix("/") { throw ValidationError("--scratch must be an absolute path") }
    }

    /// `--scratch`, or a new folder `<prefix>-XXXXXXXX` under the temporary folder.
    func folder(named prefix: String) -> URL {
        scratch.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
    }
}

/// Stops a running backup tool cleanly on SIGINT, SIGTERM or SIGHUP (`SignalWatch.stopSignals`).
///
/// Without this, the signal ends `mediaserver` at once and leaves borgmatic and borg running (holding the repository
/// lock). Here the signal cancels the work: the runner sends SIGTERM to the tool's process group and waits for it
/// (see `SubprocessRunner.stopGracePeriod`), then the command exits with 128 + the signal.
enum Interruption {
    private enum Outcome<T: Sendable>: Sendable {
        case finished(T)
        case signal(Int32)
    }

    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        defer { continuation.finish() }
        return try await SignalWatch.during(handler: { continuation.yield($0) }) { () async throws -> T in
            try await stopping(body, on: signals)
        }
    }

    /// Runs `body` until it returns, or until the first of `signals` stops it.
    private static func stopping<T: Sendable>(
        _ body: @escaping @Sendable () async throws -> T, on signals: AsyncStream<Int32>
    ) async throws -> T {
        return try await withThrowingTaskGroup(of: Outcome<T>?.self) { group in
            group.addTask { .finished(try await body()) }
            group.addTask {
                for await number in signals { return .signal(number) }
                return nil
            }
            while let next = try await group.next() {
                switch next {
                case .finished(let value)?:
                    group.cancelAll()
                    return value
                case .signal(let number)?:
                    Console.error("\(SignalWatch.verb(number)): stopping the running tool …")
                    // The tools' process groups (borgmatic's holds borg), taken before cancelling: when
                    // borgmatic has exited, borg may still be finishing and releasing its lock.
                    let groups = toolGroups()
                    group.cancelAll()
                    // Wait for the tool to have stopped; its cancellation error is the expected outcome.
                    while (try? await group.next()) != nil {}
                    await waitForGroups(groups, seconds: 30)
                    Console.error("stopped; the repository keeps every archive that was complete")
                    throw ExitCode.interrupted(by: number)
                case nil:
                    continue
                }
            }
            throw CancellationError()
        }
    }

    /// The process groups of this process's children other than its own: the tools the runner started in groups
    /// of their own (`/proc/<pid>/stat`: pid, (comm), state, ppid, pgrp).
    static func toolGroups() -> Set<pid_t> {
        let me = getpid()
        var groups: Set<pid_t> = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
                let close = data.lastIndex(of: UInt8(ascii: ")"))
            else { continue }
            let fields = String(decoding: data[(close + 1)...], as: UTF8.self).split(separator: " ")
            guard fields.count > 2, pid_t(fields[1]) == me, let group = pid_t(fields[2]), group != getpgrp() else {
                continue
            }
            groups.insert(group)
        }
        return groups
    }

    /// Waits until no process of `groups` is left, for at most `seconds`; then kills what remains.
    static func waitForGroups(_ groups: Set<pid_t>, seconds: Int) async {
        let deadline = ContinuousClock.now + .seconds(seconds)
        for group in groups {
            // kill(-group, 0) succeeds while any process of the group exists.
            while kill(-group, 0) == 0 && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(100))
            }
            if kill(-group, 0) == 0 { kill(-group, SIGKILL) }
        }
    }
}
