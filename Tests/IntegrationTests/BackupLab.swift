import Foundation
import MediaStack
import MediaStackOperations
import MediaStackRendering
import TestKit
import Testing

/// One scratch deployment for the backup tests, shared by them: a checkout rendered from a test `.env`, a config
/// root of generated app data, a Borg repository created by `mediaserver backup init`, a Borg home and an rclone
/// remote folder. Built once (borg and the data take a few seconds), then reused; removed with the test run (`Scratch`).
struct BackupLab: Sendable {
    let base: URL
    let checkout: URL
    let sources: URL
    let repository: URL
    let textfile: URL
    let remoteRoot: URL
    let passphrase = "correct horse battery staple"
    let environment: [String: String]

    static let fixtures = IntegrationSupport.fixtures.appendingPathComponent("backup")

    /// The shared lab, or nil (with a recorded failure under CI) when borg, borgmatic or rclone is missing.
    static func shared() async throws -> BackupLab? {
        for tool in ["borg", "borgmatic", "rclone", "python3", "sqlite3"] where IntegrationSupport.tool(tool) == nil {
            return nil
        }
        return try await Holder.shared.lab()
    }

    private actor Holder {
        static let shared = Holder()
        var lab: BackupLab?

        func lab() async throws -> BackupLab {
            if let lab { return lab }
            let made = try await BackupLab.make()
            lab = made
            return made
        }
    }

    private static func make() async throws -> BackupLab {
        // In the test process's run folder: removed when the process exits, or by the next run if it was killed.
        let base = try Scratch.folder("mediaserver-backup-it")
        let checkout = base.appendingPathComponent("checkout")
        let sources = base.appendingPathComponent("config")
        let repository = base.appendingPathComponent("repo")
        let home = base.appendingPathComponent("home")
        for url in [checkout, home, base.appendingPathComponent("remote")] {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        let settings = try IntegrationSupport.exampleSettings(overriding: [
            "CONFIG_ROOT": sources.path, "BACKUP_ROOT": repository.path,
            "DISABLED_SERVICES": "overseerr,filebrowser", "BORG_PASSPHRASE": "\"correct horse battery staple\"",
            "RCLONE_REMOTE": "offsite:mediaserver-borg",
        ])
        try settings.write(to: checkout.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        var environment = IntegrationSupport.cleanEnvironment
        // Borg's keys, cache and security folder and borgmatic's state stay in the lab.
        environment["HOME"] = home.path
        // What the tools leave in the temporary folder (borgmatic's runtime folders) goes with the lab.
        environment["TMPDIR"] = home.path
        environment["RCLONE_CONFIG"] = "/dev/null"
        let lab = BackupLab(
            base: base, checkout: checkout, sources: sources, repository: repository,
            textfile: sources.appendingPathComponent(Catalog.textfileFolder),
            remoteRoot: base.appendingPathComponent("remote"), environment: environment)
        let python = try await lab.run(
            "python3", [fixtures.appendingPathComponent("make_data.py").path, sources.path, "24"])
        try #require(python.succeeded, "make_data.py: \(python.standardError)")
        // A service make_data.py does not know (one just added to the catalog) gets an empty folder, since
        // borgmatic refuses a missing source: the suite follows the catalog without an edit of the fixture.
        for service in BackupRenderer.sources(Stack(settings: try Settings.parse(settings, path: ".env"))) {
            try FileManager.default.createDirectory(
                at: sources.appendingPathComponent(service.name.rawValue), withIntermediateDirectories: true)
        }
        let render = try await lab.mediaserver(["render"])
        try #require(render.succeeded, "render: \(render.standardError)")
        let created = try await lab.mediaserver(["backup", "init"])
        try #require(created.succeeded, "backup init: \(created.standardError)")
        return lab
    }

    /// Runs `mediaserver <arguments> --direct --root <checkout>` with the lab's environment plus `extra`.
    func mediaserver(_ arguments: [String], extra: [String: String] = [:]) async throws -> ProcessOutput {
        let direct = arguments.first == "render" ? [] : ["--direct"]
        return try await SubprocessRunner().run(
            try IntegrationSupport.executable(), arguments + direct + ["--root", checkout.path],
            environment: environment.merging(extra) { $1 }, workingDirectory: nil, timeout: TestTime.longProcess)
    }

    /// Runs a tool with the lab's environment plus `extra`.
    func run(_ tool: String, _ arguments: [String], extra: [String: String] = [:], timeout: Int = TestTime.longProcess)
        async throws
        -> ProcessOutput
    {
        try await SubprocessRunner().run(
            tool, arguments, environment: environment.merging(extra) { $1 }, workingDirectory: nil, timeout: timeout)
    }

    /// Runs `borg` directly on the repository (a separate Borg home when `home` is given).
    func borg(_ arguments: [String], home: String? = nil) async throws -> ProcessOutput {
        var extra = ["BORG_PASSPHRASE": passphrase, "BORG_RELOCATED_REPO_ACCESS_IS_OK": "yes"]
        if let home { extra["BORG_BASE_DIR"] = home }
        return try await run("borg", arguments, extra: extra)
    }

    func metric(_ name: String, file: String = "mediaserver_backup.prom") -> String? {
        let text = (try? String(contentsOf: textfile.appendingPathComponent(file), encoding: .utf8))
        return text?.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map {
            String($0.dropFirst(name.count + 1))
        }
    }

    /// The archives, via `mediaserver backup list --json`.
    func archiveNames() async throws -> [String] {
        let output = try await mediaserver(["backup", "list", "--json"])
        try #require(output.succeeded, "backup list: \(output.standardError)")
        let entries = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [[String: Any]]
        return (entries ?? []).compactMap { $0["name"] as? String }
    }

    /// The JSON object `mediaserver … --json` printed.
    static func object(_ output: ProcessOutput) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]) ?? [:]
    }
}

/// A background process started by a test and stopped by its pid.
final class BackgroundProcess: @unchecked Sendable {
    let process = Process()
    let log: URL

    init(_ executable: String, _ arguments: [String], environment: [String: String], log: URL) throws {
        self.log = log
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text`, for at most `within` (a server's start by default).
    func waitFor(_ text: String, within: Duration = TestTime.startup) async throws -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            if !process.isRunning { return output.contains(text) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func stop() {
        if process.isRunning { kill(pid, SIGTERM) }
        process.waitUntilExit()
    }

    func wait() { process.waitUntilExit() }
}

/// `rclone serve sftp` on a free loopback port, serving the lab's remote folder.
struct SFTPRemote {
    let server: BackgroundProcess
    let port: Int

    static func start(_ lab: BackupLab) async throws -> SFTPRemote {
        let rclone = try #require(SubprocessRunner.locate("rclone", in: lab.environment))
        let server = try BackgroundProcess(
            rclone,
            [
                "serve", "sftp", lab.remoteRoot.path, "--addr", "127.0.0.1:0", "--user", "mediaserver", "--pass",
                "s3cret",
            ],
            environment: lab.environment,
            log: lab.base.appendingPathComponent("sftp-\(UUID().uuidString.prefix(6)).log"))
        let ready = try await server.waitFor("listening on")
        try #require(ready, "rclone serve sftp did not start: \(server.output)")
        let line = server.output.split(separator: "\n").first { $0.contains("listening on") } ?? ""
        let port = try #require(
            line.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) })
        return SFTPRemote(server: server, port: port)
    }

    /// The environment defining the rclone remote `offsite:` for this server (credentials outside the repository).
    func environment(_ lab: BackupLab, port: Int? = nil) async throws -> [String: String] {
        let obscured = try await lab.run("rclone", ["obscure", "s3cret"])
        return [
            "RCLONE_CONFIG_OFFSITE_TYPE": "sftp", "RCLONE_CONFIG_OFFSITE_HOST": "127.0.0.1",
            "RCLONE_CONFIG_OFFSITE_PORT": String(port ?? self.port), "RCLONE_CONFIG_OFFSITE_USER": "mediaserver",
            "RCLONE_CONFIG_OFFSITE_PASS": obscured.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines),
            "RCLONE_CONFIG_OFFSITE_KNOWN_HOSTS_FILE": "",
        ]
    }
}
