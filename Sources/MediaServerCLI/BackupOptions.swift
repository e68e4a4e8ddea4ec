import ArgumentParser
import Foundation
import MediaStack
import MediaStackOperations

/// Where the backup tools run: in the deployment's containers, or on this host.
enum BackupVia: String, ExpressibleByArgument, CaseIterable {
    case compose
    case direct
}

/// Options shared by `backup` and `offsite` subcommands.
struct BackupOptions: ParsableArguments {
    @OptionGroup var common: CommonOptions

    @Option(help: "Run through `docker compose exec` in the deployment (compose) or with this host's tools (direct).")
    var via: BackupVia?

    @Flag(help: "Same as --via direct: host borg, borgmatic and rclone with the rendered backup/ files.")
    var direct = false

    @Option(help: "Direct mode: the config root to back up (default: CONFIG_ROOT).")
    var sourceRoot: String?

    @Option(help: "Direct mode: the Borg repository (default: BACKUP_ROOT).")
    var repository: String?

    @Option(help: "Direct mode: scratch folder for the database copies (default: <BACKUP_ROOT>-dumps).")
    var dumpRoot: String?

    @Option(
        help:
            "Direct mode: node_exporter textfile folder for the metrics (default: CONFIG_ROOT/\(Catalog.textfileFolder))."
    )
    var textfileDir: String?

    @Option(help: "Seconds to wait for Borg's repository lock (default: the config's 600, offsite.sh's 3600).")
    var lockWait: Int?

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Flag(help: "On failure, also print the tool's last output lines (secrets blanked out).")
    var verbose = false

    var effectiveVia: BackupVia { direct ? .direct : via ?? .compose }

    func validateBackup() throws {
        try common.validateRoot()
        if direct && via == .compose {
            throw ValidationError("--direct contradicts --via compose; pass one of them")
        }
        if effectiveVia == .compose {
            for (name, value) in [
                ("--source-root", sourceRoot), ("--repository", repository), ("--dump-root", dumpRoot),
                ("--textfile-dir", textfileDir),
            ] where value != nil {
                throw ValidationError("\(name) applies to --direct only; the containers use the compose.yml mounts")
            }
        }
        for (name, value) in [
            ("--source-root", sourceRoot), ("--repository", repository), ("--dump-root", dumpRoot),
            ("--textfile-dir", textfileDir),
        ] {
            if let value, !value.hasPrefix("/") { throw ValidationError("\(name) must be an absolute path") }
        }
        if let lockWait, lockWait < 1 || lockWait > 86_400 {
            throw ValidationError("--lock-wait must be between 1 and 86400 seconds")
        }
    }

    /// The settings, or exit 2 with each problem on stderr.
    func loadStack() throws -> Stack {
        do {
            return Stack(settings: try SettingsLoader(root: common.rootURL).load(common.envFile))
        } catch {
            for issue in error.issues { Console.error(issue.description) }
            throw ExitCode.findings
        }
    }

    /// The driver for this checkout's settings.
    func loadDriver() async throws -> BackupDriver { try await driver(try loadStack()) }

    /// Prints `report` as JSON with `--json`, else `text`.
    func emit<Report: Encodable>(_ report: Report, text: @autoclosure () -> String) throws {
        if json { try Console.json(report) } else { Console.output(text()) }
    }

    func driver(_ stack: Stack) async throws -> BackupDriver {
        let mode: BackupDriver.Mode
        switch effectiveVia {
        case .direct:
            // The rendered backup/ files of these settings (deploy/ for a user's .env).
            var paths = BackupDriver.DirectPaths.defaults(
                checkout: common.renderFolder(stack.settings.source), settings: stack.settings)
            if let sourceRoot { paths.sourceRoot = sourceRoot }
            if let repository {
                paths.repository = repository
                if dumpRoot == nil { paths.dumpRoot = repository + "-dumps" }
            }
            if let dumpRoot { paths.dumpRoot = dumpRoot }
            if let textfileDir { paths.textfileDirectory = textfileDir }
            mode = .direct(paths)
        case .compose:
            guard let cli = await ComposeCLI.detect(runner: SubprocessRunner()) else {
                Console.error(
                    "error: Docker Compose v2 is not installed\n  fix: install the Compose plugin, or use --direct")
                throw ExitCode.failure
            }
            mode = .compose(
                .init(
                    cli: cli, checkout: common.renderFolder(stack.settings.source),
                    envFile: common.composeSettingsPath(stack.settings.source)))
        }
        // Progress goes to stderr in every mode: stdout carries the result (a table, or JSON).
        return BackupDriver(stack: stack, mode: mode, lockWait: lockWait, progress: { Console.error($0) })
    }

    /// Reports `error` (one line and the fix; JSON on stdout with --json) and exits 1.
    func fail(_ error: BackupError) throws -> Never {
        if json {
            struct Failure: Encodable {
                let ok = false
                let step: String
                let cause: String
                let message: String
                let fix: String
                let status: Int32?
            }
            try? Console.json(
                Failure(
                    step: error.step, cause: error.cause.rawValue, message: error.message, fix: error.fix,
                    status: error.status))
        }
        if verbose { for line in error.detail { Console.error("  | \(line)") } }
        Console.error("error: [\(error.cause.rawValue)] \(error.step) failed: \(error.message)")
        Console.error("  fix: \(error.fix)")
        throw ExitCode.failure
    }

    /// Runs `body`, turning a `BackupError` into the one-line report.
    @discardableResult
    func report<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as BackupError {
            try fail(error)
        }
    }
}
