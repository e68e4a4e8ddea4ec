import Foundation
import MediaStack
import MediaStackRendering

/// Runs the backup and off-site jobs: inside the deployment through `docker compose exec`, or directly with the
/// host's borg, borgmatic and rclone against the rendered files.
///
/// Both modes run the same rendered `backup/config/config.yaml` and scripts. Direct mode relocates the container
/// paths the file names through the `MEDIASERVER_BACKUP_*` variables (see `BackupPaths`), which is how the tests
/// drive real repositories on this machine.
public struct BackupDriver: Sendable {
    /// Host paths for direct mode.
    public struct DirectPaths: Sendable, Hashable {
        /// The checkout holding the rendered `backup/` folder.
        public var checkout: URL
        /// `${CONFIG_ROOT}`: one folder per service.
        public var sourceRoot: String
        /// Where pre-backup.sh puts the consistent database copies (wiped at each run; outside the source root).
        public var dumpRoot: String
        /// The Borg repository.
        public var repository: String
        /// node_exporter's textfile folder for the metrics.
        public var textfileDirectory: String

        public init(checkout: URL, sourceRoot: String, dumpRoot: String, repository: String, textfileDirectory: String)
        {
            self.checkout = checkout
            self.sourceRoot = sourceRoot
            self.dumpRoot = dumpRoot
            self.repository = repository
            self.textfileDirectory = textfileDirectory
        }

        /// The defaults from the settings: CONFIG_ROOT, BACKUP_ROOT, a dump folder beside the repository.
        public static func defaults(checkout: URL, settings: Settings) -> DirectPaths {
            let configRoot = settings[.configRoot]
            let repository = settings[.backupRoot]
            return DirectPaths(
                checkout: checkout, sourceRoot: configRoot, dumpRoot: repository + "-dumps", repository: repository,
                textfileDirectory: configRoot + "/" + Catalog.textfileFolder)
        }

        var backupDirectory: String { checkout.appendingPathComponent("backup").path }
        var configFile: String { checkout.appendingPathComponent(BackupPaths.configFile).path }
    }

    /// A deployment reached through Docker Compose.
    public struct ComposeTarget: Sendable, Hashable {
        public var cli: ComposeCLI
        public var checkout: URL
        public var envFile: String

        public init(cli: ComposeCLI, checkout: URL, envFile: String) {
            self.cli = cli
            self.checkout = checkout
            self.envFile = envFile
        }
    }

    public enum Mode: Sendable, Hashable {
        case direct(DirectPaths)
        case compose(ComposeTarget)
    }

    /// One archive of the repository.
    public struct Archive: Sendable, Hashable, Codable {
        public let name: String
        public let start: Date
    }

    public let stack: Stack
    public let mode: Mode
    public let runner: any ProcessRunning
    /// The environment the tools inherit (direct mode), before the driver's own variables.
    public let environment: [String: String]
    /// Overrides `lock_wait` (borgmatic) and `OFFSITE_LOCK_WAIT` (offsite.sh), in seconds.
    public let lockWait: Int?
    /// Receives progress lines: what runs and for how long so far.
    public let progress: @Sendable (String) -> Void
    /// Seconds between two "still running" progress lines.
    public let progressInterval: Int

    public init(
        stack: Stack, mode: Mode, runner: any ProcessRunning = SubprocessRunner(stopGracePeriod: 30),
        environment: [String: String] = ProcessInfo.processInfo.environment, lockWait: Int? = nil,
        progressInterval: Int = 10, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.stack = stack
        self.mode = mode
        self.runner = runner
        self.environment = environment
        self.lockWait = lockWait
        self.progressInterval = progressInterval
        self.progress = progress
    }

    /// Compose service names of the two jobs.
    static let backupService = ServiceName.borgmatic.rawValue
    static let offsiteService = "rclone"

    // MARK: - Secrets and environment

    /// The passphrase direct mode hands to borg: the environment's, else the settings'.
    var passphrase: String? {
        if let value = environment[SettingKey.borgPassphrase.rawValue], !value.isEmpty { return value }
        if !stack.settings[.borgPassphrase].isEmpty { return stack.settings[.borgPassphrase] }
        return nil
    }

    var remote: String? {
        if let value = environment[SettingKey.rcloneRemote.rawValue], !value.isEmpty { return value }
        if !stack.settings[.rcloneRemote].isEmpty { return stack.settings[.rcloneRemote] }
        return nil
    }

    var secrets: [String] { [passphrase].compactMap { $0 } }

    /// The environment of a direct-mode tool: inherited, plus the relocated paths and the settings' secrets.
    func directEnvironment(_ paths: DirectPaths) throws(BackupError) -> [String: String] {
        var env = environment
        env[BackupPaths.backupDirectoryVariable] = paths.backupDirectory
        env[BackupPaths.sourceRootVariable] = paths.sourceRoot
        env[BackupPaths.dumpRootVariable] = paths.dumpRoot
        env[BackupPaths.repositoryVariable] = paths.repository
        env[BackupPaths.textfileDirectoryVariable] = paths.textfileDirectory
        if let remote { env["RCLONE_REMOTE"] = remote }
        if let lockWait { env["OFFSITE_LOCK_WAIT"] = String(lockWait) }
        guard let passphrase = passphrase else {
            throw BackupError(
                step: "backup", cause: .missingPassphrase,
                message: "BORG_PASSPHRASE is set neither in .env nor in the environment",
                fix: "set BORG_PASSPHRASE in .env")
        }
        if passphrase == "CHANGE_ME" {
            throw BackupError(
                step: "backup", cause: .missingPassphrase,
                message: "BORG_PASSPHRASE is still the placeholder CHANGE_ME",
                fix: "set a real passphrase in .env (and keep a copy outside this machine)")
        }
        env["BORG_PASSPHRASE"] = passphrase
        return env
    }

    // MARK: - Invocations

    /// One program to run, with its environment (nil: inherit).
    struct Invocation: Sendable {
        let executable: String
        let arguments: [String]
        let environment: [String: String]?
        let workingDirectory: String?
        /// Runs with a runtime directory of its own (`BorgmaticRuntimeDirectory`): a borgmatic run on this host.
        var ownRuntimeDirectory = false
    }

    /// `borgmatic <arguments>` with the rendered configuration.
    func borgmatic(_ arguments: [String]) throws(BackupError) -> Invocation {
        let lock = lockWait.map { ["--lock-wait", String($0)] } ?? []
        switch mode {
        case .direct(let paths):
            return Invocation(
                executable: "borgmatic", arguments: ["-c", paths.configFile] + lock + arguments,
                environment: try directEnvironment(paths), workingDirectory: nil, ownRuntimeDirectory: true)
        case .compose(let target):
            return exec(target, service: Self.backupService, ["borgmatic"] + lock + arguments)
        }
    }

    /// `docker compose … exec -T <service> <command>` in the checkout.
    func exec(_ target: ComposeTarget, service: String, _ command: [String], environment: [String: String] = [:])
        -> Invocation
    {
        let variables = environment.sorted { $0.key < $1.key }.flatMap { ["-e", "\($0.key)=\($0.value)"] }
        let arguments =
            Array(target.cli.prefix.dropFirst()) + ComposeCLI.fileArguments([.core], envFile: target.envFile)
            + ["exec", "-T"] + variables + [service] + command
        return Invocation(
            executable: target.cli.prefix[0], arguments: arguments, environment: nil,
            workingDirectory: target.checkout.path)
    }

    // MARK: - Running with progress

    /// Runs `invocation`, reporting progress every `progressInterval` seconds; a failure becomes a `BackupError`.
    @discardableResult
    func step(_ what: String, _ invocation: Invocation, timeout: Int = 6 * 3600, allowFailure: Bool = false)
        async throws -> ProcessOutput
    {
        // Made before the progress line, so a base that cannot be written to is the only thing said.
        let runtime =
            try invocation.ownRuntimeDirectory
            ? BorgmaticRuntimeDirectory(environment: invocation.environment ?? self.environment) : nil
        // Removed when the tool has stopped: after it finished, failed, or was stopped by a signal (`Interruption`
        // cancels this step and waits for it).
        defer { runtime?.remove() }
        let toolEnvironment =
            runtime.map { $0.applied(to: invocation.environment ?? self.environment) }
            ?? invocation.environment
        progress("\(what) …")
        let clock = ContinuousClock()
        let start = clock.now
        let output: ProcessOutput
        do {
            output = try await withThrowingTaskGroup(of: ProcessOutput?.self) { group in
                group.addTask {
                    try await runner.run(
                        invocation.executable, invocation.arguments, environment: toolEnvironment,
                        workingDirectory: invocation.workingDirectory, timeout: timeout)
                }
                let interval = progressInterval
                let report = progress
                group.addTask {
                    // Only reports; the process child decides the group's result.
                    while true {
                        try await Task.sleep(for: .seconds(interval))
                        report("\(what): \(Int((clock.now - start).components.seconds)) s so far")
                    }
                }
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let output = next { return output }
                }
                throw CancellationError()
            }
        } catch let error as ProcessError {
            if case .notFound(let name) = error {
                throw BackupError(
                    step: what, cause: .toolMissing, message: "\(name) is not installed or not on PATH",
                    fix: "install it (scripts/install-test-tools does), or use --via compose")
            }
            throw BackupError(
                step: what, cause: .other, message: BackupError.redact(error.description, secrets),
                fix: "see the tool's own log")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // A launch error may quote the environment, which holds the passphrase.
            throw BackupError(
                step: what, cause: .other,
                message: "could not run \(invocation.executable): " + BackupError.redact("\(error)", secrets),
                fix: "see the tool's own log")
        }
        let seconds =
            Double((clock.now - start).components.attoseconds) / 1e18
            + Double((clock.now - start).components.seconds)
        progress(String(format: "\(what): %@ in %.1f s", output.succeeded ? "done" : "failed", seconds))
        if !output.succeeded && !allowFailure {
            throw BackupError.explain(step: what, output: output, secrets: secrets)
        }
        return output
    }

    // MARK: - Backup

    /// What `initialize` did.
    public enum Initialization: Sendable, Hashable {
        case created
        /// A repository was already there and was left alone.
        case alreadyExists(String)
    }

    /// Creates the repository (`borgmatic repo-create`, repokey-blake2); an existing one is left alone.
    @discardableResult
    public func initialize() async throws -> Initialization {
        if let repository = hostRepository, Self.isBorgRepository(repository) {
            return .alreadyExists(repository)
        }
        if case .direct(let paths) = mode {
            // borg creates the repository folder itself, but refuses one that holds other files.
            if let entries = try? FileManager.default.contentsOfDirectory(atPath: paths.repository), !entries.isEmpty {
                throw BackupError(
                    step: "creating the repository", cause: .notARepository,
                    message: "\(paths.repository) is not empty and is not a Borg repository",
                    fix: "point BACKUP_ROOT (or --repository) at an empty or new folder")
            }
        }
        try await step("creating the repository", try borgmatic(["repo-create"]))
        return .created
    }

    /// The command that writes the repository key to `borg-key.txt`. A repokey repository keeps its key inside the
    /// repository: lose the repository's disk and the off-site copy alone cannot be opened without this export
    /// (docs/restore.md, "Before you need it").
    public var keyExportCommand: String {
        switch mode {
        case .direct(let paths): return "borg key export \(paths.repository) borg-key.txt"
        case .compose:
            return "docker compose exec -T borgmatic borg key export /mnt/borg-repository > borg-key.txt"
        }
    }

    /// Runs the backup. `createOnly` skips prune, compact and check (the 03:30 job runs all of them).
    ///
    /// The repository and the source root are checked first, so a missing disk costs no database copies; a run
    /// that fails removes the copies it made.
    @discardableResult
    public func run(createOnly: Bool = false) async throws -> ProcessOutput {
        try preflight(sources: true)
        let dumpsExisted: Bool
        if case .direct(let paths) = mode {
            dumpsExisted = FileManager.default.fileExists(atPath: paths.dumpRoot)
        } else {
            dumpsExisted = true
        }
        do {
            return try await step(
                createOnly ? "borgmatic create" : "borgmatic create, prune, compact, check",
                try borgmatic(createOnly ? ["create", "--stats"] : ["--stats"]))
        } catch {
            if case .direct(let paths) = mode { Self.removeCopies(paths.dumpRoot, folderToo: !dumpsExisted) }
            throw error
        }
    }

    /// The database copies of a failed run are in no archive; they only take space (15 MB and more).
    static func removeCopies(_ dumpRoot: String, folderToo: Bool) {
        if folderToo {
            try? FileManager.default.removeItem(atPath: dumpRoot)
            return
        }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: dumpRoot)) ?? [] {
            try? FileManager.default.removeItem(atPath: dumpRoot + "/" + entry)
        }
    }

    /// The repository folder as this host sees it: direct mode's, or BACKUP_ROOT (bind-mounted into the container).
    var hostRepository: String? {
        switch mode {
        case .direct(let paths): return paths.repository
        case .compose: return stack.settings[.backupRoot]
        }
    }

    /// Whether `path` holds a Borg repository: borg 1.x writes a `config` file with a `[repository]` section.
    public static func isBorgRepository(_ path: String) -> Bool {
        guard let config = FileManager.default.contents(atPath: path + "/config") else { return false }
        return String(decoding: config, as: UTF8.self).contains("[repository]")
    }

    /// Direct mode: the checks whose failure borgmatic would only report as "Error running configuration" (or
    /// after minutes of waiting), each named in the first line.
    func preflight(sources: Bool) throws(BackupError) {
        guard case .direct(let paths) = mode else {
            reportContainerLocks()
            return
        }
        var isFolder: ObjCBool = false
        let step = "checking the repository"
        if !FileManager.default.fileExists(atPath: paths.repository, isDirectory: &isFolder) {
            throw BackupError(
                step: step, cause: .missingRepository,
                message: "there is no Borg repository at \(paths.repository): the folder does not exist",
                fix: "mount the backup disk at BACKUP_ROOT; for a new repository run `mediaserver backup init`")
        }
        if isFolder.boolValue, (try? FileManager.default.contentsOfDirectory(atPath: paths.repository))?.isEmpty == true
        {
            throw BackupError(
                step: step, cause: .missingRepository,
                message: "there is no Borg repository at \(paths.repository) yet: the folder is empty",
                fix: "create it with `mediaserver backup init` (or mount the backup disk at BACKUP_ROOT)")
        }
        if !isFolder.boolValue || !Self.isBorgRepository(paths.repository) {
            let readable = access(paths.repository, R_OK | X_OK) == 0
            throw BackupError(
                step: step, cause: .notARepository,
                message: "\(paths.repository) is not a Borg repository"
                    + (readable ? " (it has no Borg config file)" : " (it cannot be read by this user)"),
                fix: "point BACKUP_ROOT (or --repository) at the repository; is the backup disk mounted?")
        }
        try checkLocks(paths.repository)
        guard sources else { return }
        if !FileManager.default.fileExists(atPath: paths.sourceRoot, isDirectory: &isFolder) || !isFolder.boolValue {
            throw BackupError(
                step: "checking the sources", cause: .missingSource,
                message: "the source root \(paths.sourceRoot) (CONFIG_ROOT) does not exist",
                fix: "set CONFIG_ROOT in .env to the apps' configuration folder (or pass --source-root)")
        }
        if access(paths.sourceRoot, R_OK | X_OK) != 0 {
            throw BackupError(
                step: "checking the sources", cause: .unreadableSource,
                message: "the source root \(paths.sourceRoot) cannot be read by this user",
                fix: "run the backup as root or as the apps' user (PUID)")
        }
    }

    /// A lock left by a borg process that no longer runs makes the next borg wait two polling rounds of the lock
    /// wait (about 2 minutes) before it clears it: say so at once, with the command that clears it.
    ///
    /// borg 1.4 (`borg/locking.py`) keeps the lock as a folder `lock.exclusive` holding one file per holder named
    /// `<host id>.<pid>-<thread hex>`, where the host id is `<fqdn>@<node>` (`borg/platform/base.py`); the cache
    /// of the repository has the same kind of lock.
    func checkLocks(_ repository: String) throws(BackupError) {
        var folders = [repository + "/lock.exclusive"]
        if let cache = cacheFolder(repository) { folders.append(cache + "/lock.exclusive") }
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        for folder in folders {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                guard let dash = name.lastIndex(of: "-"), let dot = name[..<dash].lastIndex(of: "."),
                    let pid = Int32(name[name.index(after: dot)..<dash])
                else { continue }
                let holder = String(name[..<dot])
                let holderHost = holder.split(separator: "@").first.map(String.init) ?? holder
                let sameHost = holderHost.split(separator: ".").first.map(String.init) == host
                guard sameHost else {
                    progress("the repository is locked by borg process \(pid) on \(holderHost): waiting for it")
                    continue
                }
                if kill(pid, 0) == 0 || errno == EPERM {
                    let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?
                        .replacingOccurrences(of: "\0", with: " ").trimmingCharacters(in: .whitespaces)
                    progress(
                        "the repository is locked by borg process \(pid)"
                            + (command.map { " (\(BackupError.shorten($0, limit: 80)))" } ?? "")
                            + ", which is running: waiting for it")
                    continue
                }
                throw BackupError(
                    step: "checking the repository lock", cause: .staleLock,
                    message: "the repository is locked by borg process \(pid) on this host, which is no longer running"
                        + " (an interrupted run left the lock; borg would wait about 2 minutes before clearing it)",
                    fix: "clear the lock: borg break-lock \(repository)")
            }
        }
    }

    /// Compose mode: the lock holders in BACKUP_ROOT, said before borg waits for them. Their pids live in the
    /// backup or the off-site container, so whether they still run cannot be told from here.
    func reportContainerLocks() {
        guard let repository = hostRepository else { return }
        let folder = repository + "/lock.exclusive"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            guard let dash = name.lastIndex(of: "-"), let dot = name[..<dash].lastIndex(of: ".") else { continue }
            let pid = name[name.index(after: dot)..<dash]
            let host = name[..<dot].split(separator: "@").first.map(String.init) ?? String(name[..<dot])
            progress(
                "the repository is locked by borg process \(pid) of \(host) (a backup or off-site sync): waiting for"
                    + " it; if neither runs (`docker compose ps`), the lock is stale: docker compose exec borgmatic borg"
                    + " break-lock \(BackupPaths.repository)")
        }
    }

    /// Borg's cache folder of `repository` (`BORG_CACHE_DIR`, else `BORG_BASE_DIR`/`XDG_CACHE_HOME`/`HOME`
    /// `/.cache/borg`, then the repository id from its config).
    func cacheFolder(_ repository: String) -> String? {
        guard let config = FileManager.default.contents(atPath: repository + "/config"),
            let line = String(decoding: config, as: UTF8.self).split(separator: "\n").first(where: {
                $0.hasPrefix("id = ")
            })
        else { return nil }
        let id = line.dropFirst("id = ".count).trimmingCharacters(in: .whitespaces)
        let root: String?
        if let cache = environment["BORG_CACHE_DIR"] {
            root = cache
        } else if let base = environment["BORG_BASE_DIR"] {
            root = base + "/.cache/borg"
        } else if let xdg = environment["XDG_CACHE_HOME"] {
            root = xdg + "/borg"
        } else {
            root = environment["HOME"].map { $0 + "/.cache/borg" }
        }
        return root.map { $0 + "/" + id }
    }

    /// The archives, oldest first.
    public func archives() async throws -> [Archive] {
        try preflight(sources: false)
        let output = try await step("listing archives", try borgmatic(["repo-list", "--json"]))
        return try Self.parseArchives(output.standardOutput, timeZone: archiveTimeZone)
    }

    /// Checks the repository and the archives now, whatever their schedule; `data` also verifies every chunk.
    @discardableResult
    public func verify(data: Bool = false) async throws -> ProcessOutput {
        let only = data ? ["--only", "repository", "--only", "archives", "--only", "data"] : []
        try preflight(sources: false)
        return try await step("borg check", try borgmatic(["check", "--force"] + only))
    }

    /// Borg writes archive times in the local time of where it ran: the host, or the container's TZ.
    var archiveTimeZone: TimeZone {
        switch mode {
        case .direct: return .current
        case .compose: return TimeZone(identifier: stack.settings[.timeZone]) ?? .current
        }
    }

    static func parseArchives(_ json: String, timeZone: TimeZone) throws -> [Archive] {
        struct Repository: Decodable {
            struct Entry: Decodable {
                let name: String
                let start: String
            }
            let archives: [Entry]
        }
        let start = json.firstIndex(of: "[") ?? json.startIndex
        guard let repositories = try? JSONDecoder().decode([Repository].self, from: Data(json[start...].utf8)) else {
            throw BackupError(
                step: "listing archives", cause: .other, message: "borgmatic repo-list --json printed no archive list",
                fix: "run `borgmatic repo-list` by hand to see why")
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSSSS"
        return repositories.flatMap(\.archives).compactMap { entry in
            formatter.date(from: entry.start).map { Archive(name: entry.name, start: $0) }
        }.sorted { $0.start < $1.start }
    }

    // MARK: - Off-site

    /// Copies the repository off-site under Borg's lock (backup/offsite.sh), then checks the copy in the lock.
    @discardableResult
    public func offsiteSync() async throws -> ProcessOutput {
        switch mode {
        case .direct(let paths):
            let env = try directEnvironment(paths)
            guard env["RCLONE_REMOTE"] != nil else {
                throw BackupError(
                    step: "off-site sync", cause: .remoteNotSet, message: "RCLONE_REMOTE is not set",
                    fix: "set RCLONE_REMOTE=<remote>:<path> in .env")
            }
            return try await step(
                "off-site sync",
                Invocation(
                    executable: "sh",
                    arguments: [paths.backupDirectory + "/offsite.sh", paths.repository, paths.textfileDirectory],
                    environment: env, workingDirectory: nil))
        case .compose(let target):
            let lock = lockWait.map { ["OFFSITE_LOCK_WAIT": String($0)] } ?? [:]
            return try await step(
                "off-site sync",
                exec(
                    target, service: Self.offsiteService,
                    [
                        "sh", BackupPaths.backupDirectory + "/offsite.sh", BackupPaths.repository,
                        BackupPaths.textfileDirectory,
                    ], environment: lock))
        }
    }

    /// What `offsiteCheck` found in the fetched copy.
    public struct OffsiteReport: Sendable, Codable, Hashable {
        public let remote: String
        public let archives: Int
        public let latestArchive: String?
        public let latestArchiveAgeSeconds: Int?
        public let bytesFetched: Int64?
        public let seconds: Double
    }

    /// Fetches the remote copy into `scratch` and runs `borg check` and `borg list` on it with a separate Borg home,
    /// as a disaster recovery would. (A check against the live repository cannot pass: `borg with-lock` commits a
    /// transaction after every sync, so the local repository is always one commit ahead of its copy.)
    public func offsiteCheck(scratch: URL) async throws -> OffsiteReport {
        let clock = ContinuousClock()
        let start = clock.now
        let paths: DirectPaths
        switch mode {
        case .direct(let direct):
            paths = direct
        case .compose(let target):
            // In the container the copy is checked without the passphrase: segment checksums and index only.
            let script = """
                set -eu; dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
                rclone copy "$RCLONE_REMOTE" "$dir/repo"
                BORG_BASE_DIR="$dir/base" BORG_RELOCATED_REPO_ACCESS_IS_OK=yes borg break-lock "$dir/repo"
                BORG_BASE_DIR="$dir/base" BORG_RELOCATED_REPO_ACCESS_IS_OK=yes borg check --repository-only "$dir/repo"
                """
            try await step(
                "fetching and checking the off-site copy",
                exec(target, service: Self.offsiteService, ["sh", "-c", script]))
            return OffsiteReport(
                remote: remote ?? "", archives: 0, latestArchive: nil, latestArchiveAgeSeconds: nil, bytesFetched: nil,
                seconds: Self.seconds(clock.now - start))
        }
        var env = try directEnvironment(paths)
        guard let remote = env["RCLONE_REMOTE"] else {
            throw BackupError(
                step: "off-site check", cause: .remoteNotSet, message: "RCLONE_REMOTE is not set",
                fix: "set RCLONE_REMOTE=<remote>:<path> in .env")
        }
        let copy = scratch.appendingPathComponent("repo").path
        // A separate Borg home: the copy has the repository's id, and borg would otherwise remember the copy's
        // location as the repository's and question the next backup.
        env["BORG_BASE_DIR"] = scratch.appendingPathComponent("borg-base").path
        env["BORG_RELOCATED_REPO_ACCESS_IS_OK"] = "yes"
        try await step(
            "fetching \(remote)",
            Invocation(
                executable: "rclone", arguments: ["sync", remote, copy], environment: env, workingDirectory: nil))
        guard FileManager.default.fileExists(atPath: copy + "/config") else {
            throw BackupError(
                step: "off-site check", cause: .missingRepository, message: "\(remote) holds no Borg repository",
                fix: "run `mediaserver offsite sync` first, and check RCLONE_REMOTE")
        }
        // The copy never holds Borg's lock files (offsite.sh excludes them); break-lock makes sure.
        try await step(
            "borg break-lock on the copy",
            Invocation(executable: "borg", arguments: ["break-lock", copy], environment: env, workingDirectory: nil))
        try await step(
            "borg check on the copy",
            Invocation(executable: "borg", arguments: ["check", copy], environment: env, workingDirectory: nil))
        let list = try await step(
            "listing the copy's archives",
            Invocation(
                executable: "borg", arguments: ["list", "--json", copy], environment: env, workingDirectory: nil))
        let archives = try Self.parseArchives("[" + list.standardOutput + "]", timeZone: .current)
        let latest = archives.last
        return OffsiteReport(
            remote: remote, archives: archives.count, latestArchive: latest?.name,
            latestArchiveAgeSeconds: latest.map { Int(Date().timeIntervalSince($0.start)) },
            bytesFetched: RestoreDrill.treeSize(copy), seconds: Self.seconds(clock.now - start))
    }

    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
