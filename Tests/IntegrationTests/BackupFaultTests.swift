import Foundation
import MediaStackOperations
import TestKit
import Testing

/// The backup commands under faults, with the real borg and borgmatic in direct mode: each fault is named in the
/// first line, and nothing is left behind. Each test builds its own small deployment (the shared lab must stay
/// intact for the other backup tests).
@Suite("Backups under faults")
struct BackupFaultTests {
    struct Lab {
        let base: URL
        let checkout: URL
        let sources: URL
        let repository: URL
        let environment: [String: String]

        func mediaserver(_ arguments: [String], extra: [String: String] = [:]) async throws -> ProcessOutput {
            let direct = arguments.first == "render" ? [] : ["--direct"]
            return try await SubprocessRunner().run(
                try IntegrationSupport.executable(), arguments + direct + ["--root", checkout.path],
                environment: environment.merging(extra) { $1 }, workingDirectory: nil, timeout: TestTime.longProcess)
        }

        func borg(_ arguments: [String]) async throws -> ProcessOutput {
            try await SubprocessRunner().run(
                "borg", arguments, environment: environment.merging(["BORG_PASSPHRASE": "fault lab"]) { $1 },
                workingDirectory: nil, timeout: TestTime.longProcess)
        }
    }

    /// A rendered checkout, sources made by the backup fixture, and (when `create`) a repository.
    static func lab(create: Bool = true) async throws -> Lab? {
        for tool in ["borg", "borgmatic", "python3", "sqlite3"] where IntegrationSupport.tool(tool) == nil {
            return nil
        }
        let base = try Scratch.folder("mediaserver-faults")
        let checkout = base.appendingPathComponent("checkout")
        let sources = base.appendingPathComponent("config")
        let repository = base.appendingPathComponent("repo")
        let home = base.appendingPathComponent("home")
        for url in [checkout, home] {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        let settings = try IntegrationSupport.exampleSettings(overriding: [
            "CONFIG_ROOT": sources.path, "BACKUP_ROOT": repository.path,
            "DISABLED_SERVICES": "overseerr,filebrowser", "BORG_PASSPHRASE": "\"fault lab\"",
        ])
        try settings.write(to: checkout.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        var environment = IntegrationSupport.cleanEnvironment
        environment["HOME"] = home.path
        // What the tools leave in the temporary folder (borgmatic's runtime folders) goes with the lab.
        environment["TMPDIR"] = home.path
        let lab = Lab(
            base: base, checkout: checkout, sources: sources, repository: repository, environment: environment)
        let data = try await SubprocessRunner().run(
            "python3",
            [IntegrationSupport.fixtures.appendingPathComponent("backup/make_data.py").path, sources.path, "1"],
            environment: environment, workingDirectory: nil, timeout: TestTime.longProcess)
        try #require(data.succeeded, "make_data.py: \(data.standardError)")
        let render = try await lab.mediaserver(["render"])
        try #require(render.succeeded, "render: \(render.standardError)")
        if create {
            let created = try await lab.mediaserver(["backup", "init"])
            try #require(created.succeeded, "backup init: \(created.standardError)")
        }
        return lab
    }

    static func firstErrorLine(_ output: ProcessOutput) -> String {
        String(output.standardError.split(separator: "\n").first { $0.hasPrefix("error:") } ?? "")
    }

    @Test func initOnAnExistingRepositorySaysSoAndLeavesItAlone() async throws {
        guard let lab = try await Self.lab() else { return }
        defer { try? FileManager.default.removeItem(at: lab.base) }
        let config = lab.repository.appendingPathComponent("config")
        let before = try Data(contentsOf: config)
        let again = try await lab.mediaserver(["backup", "init"])
        #expect(again.status == 0, "\(again.standardError)")
        #expect(again.standardOutput.contains("already exists") && !again.standardOutput.contains("created"))
        #expect(try Data(contentsOf: config) == before)
    }

    @Test func aStaleLockIsNamedWithItsDeadProcessAndBreakLockIsOffered() async throws {
        guard let lab = try await Self.lab() else { return }
        defer { try? FileManager.default.removeItem(at: lab.base) }
        // A process that has exited: its pid is dead (and, just reaped, not reused within the test).
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let pid = gone.processIdentifier
        // The lock borg 1.4 leaves behind when it is killed (borg/locking.py: `<host id>.<pid>-<thread>`).
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        let lock = lab.repository.appendingPathComponent("lock.exclusive")
        try FileManager.default.createDirectory(at: lock, withIntermediateDirectories: false)
        FileManager.default.createFile(
            atPath: lock.appendingPathComponent("\(host)@1234567.\(pid)-0").path, contents: nil)
        try #"{"exclusive": [["\#(host)@1234567", \#(pid), 0]]}"#.write(
            to: lab.repository.appendingPathComponent("lock.roster"), atomically: true, encoding: .utf8)

        let listed = try await lab.mediaserver(["backup", "list"])
        #expect(listed.status == 1)
        let first = Self.firstErrorLine(listed)
        #expect(first.contains("stale-lock") && first.contains("process \(pid)") && first.contains("no longer running"))
        #expect(listed.standardError.contains("borg break-lock \(lab.repository.path)"))
        let broken = try await lab.borg(["break-lock", lab.repository.path])
        #expect(broken.succeeded, "\(broken.standardError)")
        let again = try await lab.mediaserver(["backup", "list"])
        #expect(again.status == 0, "\(again.standardError)")
    }

    @Test func aMissingRepositoryIsFoundBeforeAnyDatabaseIsCopied() async throws {
        guard let lab = try await Self.lab(create: false) else { return }
        defer { try? FileManager.default.removeItem(at: lab.base) }
        let output = try await lab.mediaserver(["backup", "run"])
        #expect(output.status == 1)
        let first = Self.firstErrorLine(output)
        #expect(first.contains("missing-repository") && first.contains(lab.repository.path), "\(first)")
        #expect(!FileManager.default.fileExists(atPath: lab.repository.path + "-dumps"), "database copies were made")
    }

    @Test func aFolderThatIsNoBorgRepositoryIsNamedInTheFirstLine() async throws {
        guard let lab = try await Self.lab(create: false) else { return }
        defer { try? FileManager.default.removeItem(at: lab.base) }
        try FileManager.default.createDirectory(at: lab.repository, withIntermediateDirectories: false)
        try "photos\n".write(
            to: lab.repository.appendingPathComponent("holiday.txt"), atomically: true, encoding: .utf8)
        for command in [["backup", "run"], ["backup", "list"], ["backup", "init"]] {
            let output = try await lab.mediaserver(command)
            #expect(output.status == 1, "\(command)")
            #expect(
                Self.firstErrorLine(output).contains("not a Borg repository"), "\(command): \(output.standardError)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: lab.repository.path) == ["holiday.txt"])
    }

    @Test func aMissingSourceRootIsNamedInTheFirstLine() async throws {
        guard let lab = try await Self.lab() else { return }
        defer { try? FileManager.default.removeItem(at: lab.base) }
        let missing = lab.base.appendingPathComponent("no-such-config").path
        let output = try await lab.mediaserver(["backup", "run", "--source-root", missing])
        #expect(output.status == 1)
        let first = Self.firstErrorLine(output)
        #expect(first.contains("missing-source") && first.contains(missing), "\(output.standardError)")
    }

    @Test func aFailedRunRemovesTheDatabaseCopiesItMade() async throws {
        guard let lab = try await Self.lab() else { return }
        defer { try? FileManager.default.removeItem(at: lab.base) }
        // The copies are made before borg runs; a wrong passphrase then fails the run.
        let output = try await lab.mediaserver(["backup", "run", "--create-only"], extra: ["BORG_PASSPHRASE": "wrong"])
        #expect(output.status == 1)
        #expect(Self.firstErrorLine(output).contains("wrong-passphrase"), "\(output.standardError)")
        #expect(!FileManager.default.fileExists(atPath: lab.repository.path + "-dumps"), "the copies were left behind")
    }

    /// borgmatic removes the bootstrap manifest of every run under its runtime base, not only its own (see
    /// `BorgmaticRuntimeDirectory`): each run has a base of its own, so a run beside it (another backup, a restore
    /// drill, a benchmark) keeps its manifest, and the run's own folder goes with it.
    @Test func aRunLeavesTheRuntimeDirectoryOfAnotherRunAlone() async throws {
        guard let lab = try await Self.lab() else { return }
        defer { try? FileManager.default.removeItem(at: lab.base) }
        let shared = lab.base.appendingPathComponent("runtime")
        // What a borgmatic run beside this one has made in the same base (borgmatic 2.1.10
        // borgmatic/hooks/data_source/bootstrap.py, `dump_data_sources`).
        let other = shared.appendingPathComponent("borgmatic-otherrun/borgmatic/bootstrap/manifest.json")
        try FileManager.default.createDirectory(
            at: other.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: other)
        let output = try await lab.mediaserver(
            ["backup", "run", "--create-only"], extra: ["XDG_RUNTIME_DIR": shared.path])
        #expect(output.succeeded, "\(output.standardError)")
        #expect(FileManager.default.fileExists(atPath: other.path), "the run removed another run's bootstrap manifest")
        #expect(try FileManager.default.contentsOfDirectory(atPath: shared.path) == ["borgmatic-otherrun"])
    }

    /// The processes whose command line mentions `path` (borgmatic and borg of a lab).
    static func processes(mentioning path: String) -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return pids.filter { $0.allSatisfy(\.isNumber) }.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let words = String(decoding: data, as: UTF8.self).split(separator: "\0")
            // The lab's own folder name holds "mediaserver": tell the CLI from its tools by the executable.
            let isCLI = words.first.map { $0.hasSuffix("/mediaserver") } ?? true
            let command = words.joined(separator: " ")
            return command.contains(path) && !isCLI ? "\(pid): \(command)" : nil
        }
    }

    @Test func sigtermStopsBorgmaticAndBorgAndWaitsForThem() async throws {
        guard let lab = try await Self.lab() else { return }
        defer { try? FileManager.default.removeItem(at: lab.base) }
        // Enough data that borg is still reading it when the signal comes.
        let big = lab.sources.appendingPathComponent("sonarr/big.bin")
        try FileManager.default.createDirectory(
            at: big.deletingLastPathComponent(), withIntermediateDirectories: true)
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        FileManager.default.createFile(atPath: big.path, contents: nil)
        let writer = try FileHandle(forWritingTo: big)
        for _ in 0..<40 { writer.write(random.readData(ofLength: 8 << 20)) }
        try writer.close()

        let run = try BackgroundProcess(
            try IntegrationSupport.executable(),
            ["backup", "run", "--create-only", "--direct", "--root", lab.checkout.path], environment: lab.environment,
            log: lab.base.appendingPathComponent("run.log"))
        // Borg holds the repository lock while it creates the archive.
        let lock = lab.repository.appendingPathComponent("lock.exclusive").path
        var locked = false
        for _ in 0..<TestTime.polls(every: .milliseconds(100), within: TestTime.duration(.seconds(120))) where !locked {
            locked = FileManager.default.fileExists(atPath: lock)
            if !locked { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(locked, "borg never took the lock: \(run.output)")
        #expect(!Self.processes(mentioning: lab.base.path).isEmpty)
        kill(run.pid, SIGTERM)
        run.wait()
        #expect(run.process.terminationStatus == 143, "\(run.output)")
        #expect(run.output.contains("stopping the running tool"))
        #expect(
            Self.processes(mentioning: lab.base.path).isEmpty,
            "left running: \(Self.processes(mentioning: lab.base.path))")
        #expect(!FileManager.default.fileExists(atPath: lock), "the repository is still locked")
    }

    /// SIGHUP (the terminal or SSH session closing) stops a backup command as SIGTERM does: borg is stopped and
    /// waited for, and the command exits 128 + 1. Borg waits here for a lock another host holds (borg 1.4.5
    /// src/borg/locking.py `kill_stale_lock` keeps a lock whose holder src/borg/platform/posix.pyx `process_alive`
    /// cannot rule out, as one on another host), so the signal finds it running without a large data set.
    @Test func sighupStopsTheToolAndExits129() async throws {
        guard let lab = try await Self.lab() else { return }
        defer {
            // Where the signal was not handled, borg would wait out its lock wait.
            for line in Self.processes(mentioning: lab.base.path) {
                if let pid = Int32(line.prefix { $0 != ":" }) { kill(pid, SIGKILL) }
            }
            try? FileManager.default.removeItem(at: lab.base)
        }
        let lock = lab.repository.appendingPathComponent("lock.exclusive")
        try FileManager.default.createDirectory(at: lock, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: lock.appendingPathComponent("3f9a2c@99.4242-0").path, contents: nil)
        let run = try BackgroundProcess(
            try IntegrationSupport.executable(),
            ["backup", "list", "--lock-wait", "120", "--direct", "--root", lab.checkout.path],
            environment: lab.environment, log: lab.base.appendingPathComponent("run.log"))
        var waiting = false
        for _ in 0..<TestTime.polls(every: .milliseconds(100), within: TestTime.duration(.seconds(60))) where !waiting {
            waiting = !Self.processes(mentioning: lab.repository.path).isEmpty
            if !waiting { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(waiting, "borg never started: \(run.output)")
        kill(run.pid, SIGHUP)
        run.wait()
        #expect(run.process.terminationStatus == 129, "\(run.output)")
        #expect(run.output.contains("hung up: stopping the running tool"), "\(run.output)")
        #expect(
            Self.processes(mentioning: lab.base.path).isEmpty,
            "left running: \(Self.processes(mentioning: lab.base.path))")
    }

    /// Through Compose the holder's pid is the container's: the lock is named, with how to clear it if stale.
    @Test func throughComposeALockIsNamedBeforeBorgWaits() async throws {
        guard IntegrationSupport.tool("docker-compose") != nil else { return }
        let root = try IntegrationSupport.copyOfCommittedFiles()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = root.appendingPathComponent("repo")
        let lock = repository.appendingPathComponent("lock.exclusive")
        try FileManager.default.createDirectory(at: lock, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: lock.appendingPathComponent("3f9a2c@99.4242-0").path, contents: nil)
        let env = try IntegrationSupport.exampleSettings(overriding: ["BACKUP_ROOT": repository.path])
        try env.write(to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        var environment = IntegrationSupport.cleanEnvironment
        environment["DOCKER_HOST"] = "unix:///nonexistent/docker.sock"
        let output = try await SubprocessRunner().run(
            try IntegrationSupport.executable(), ["backup", "list", "--root", root.path], environment: environment,
            workingDirectory: nil, timeout: TestTime.process)
        #expect(output.status == 1)
        #expect(output.standardError.contains("locked by borg process 4242 of 3f9a2c"), "\(output.standardError)")
        #expect(output.standardError.contains("borg break-lock /mnt/borg-repository"))
    }
}
