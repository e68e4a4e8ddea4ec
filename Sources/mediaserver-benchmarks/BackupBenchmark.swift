import Foundation
import MediaStackOperations

/// Measures `mediaserver backup run` against raw `borgmatic create` on the same data and repository, and
/// `mediaserver backup restore-drill` against a raw `borgmatic extract` plus `diff -r`, alternating the two in each
/// round. Usage: mediaserver-benchmarks backup [big-file-MiB] [rounds]
enum BackupBenchmark {
    static func run(_ arguments: [String]) async throws {
        let bigMiB = arguments.first.flatMap(Int.init) ?? 64
        let rounds = arguments.dropFirst().first.flatMap(Int.init) ?? 3
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("mediaserver").path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            print("build mediaserver beside the benchmarks first: swift build -c release")
            throw ExitCodeError()
        }
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mediaserver-backup-bench-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: base) }
        let checkout = base.appendingPathComponent("checkout")
        let sources = base.appendingPathComponent("config")
        let repository = base.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: checkout, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = base.appendingPathComponent("home").path
        let passphrase = "benchmark passphrase"
        let example = try String(contentsOf: here.appendingPathComponent(".env.example"), encoding: .utf8)
        let overrides = [
            "CONFIG_ROOT": sources.path, "BACKUP_ROOT": repository.path, "DISABLED_SERVICES": "overseerr,filebrowser",
            "BORG_PASSPHRASE": "\"\(passphrase)\"",
        ]
        let settings = example.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#"),
                let value = overrides[String(line[..<equals])]
            else { return String(line) }
            return "\(line[..<equals])=\(value)"
        }.joined(separator: "\n")
        try settings.write(to: checkout.appendingPathComponent(".env"), atomically: true, encoding: .utf8)

        let runner = SubprocessRunner()
        func run(_ tool: String, _ arguments: [String], extra: [String: String] = [:]) async throws -> Double {
            let clock = ContinuousClock()
            let start = clock.now
            let output = try await runner.run(
                tool, arguments, environment: environment.merging(extra) { $1 }, workingDirectory: nil, timeout: 3600)
            let duration = clock.now - start
            if !output.succeeded && tool != "diff" {
                print("`\(tool) \(arguments.joined(separator: " "))` failed:\n\(output.standardError)")
                throw ExitCodeError()
            }
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        func mediaserver(_ arguments: [String]) async throws -> Double {
            try await run(executable, arguments + ["--root", checkout.path])
        }
        _ = try await run(
            "python3",
            [here.appendingPathComponent("Tests/Fixtures/backup/make_data.py").path, sources.path, String(bigMiB)])
        _ = try await mediaserver(["render"])
        _ = try await mediaserver(["backup", "init", "--direct"])
        _ = try await mediaserver(["backup", "run", "--create-only", "--direct"])  // the first, full backup

        // What `--direct` sets, so raw borgmatic runs the very same config, hooks and repository.
        let raw = [
            "MEDIASERVER_BACKUP_DIR": checkout.appendingPathComponent("backup").path,
            "MEDIASERVER_BACKUP_SOURCE_ROOT": sources.path,
            "MEDIASERVER_BACKUP_DUMP_ROOT": repository.path + "-dumps",
            "MEDIASERVER_BACKUP_REPOSITORY": repository.path,
            "TEXTFILE_DIR": sources.path + "/node_exporter/textfile",
            "BORG_PASSPHRASE": passphrase,
        ]
        let config = checkout.appendingPathComponent("backup/config/config.yaml").path
        let services = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter {
            $0 != "node_exporter"
        }.sorted()
        var ours: [Double] = []
        var borgmatic: [Double] = []
        var drill: [Double] = []
        var baseline: [Double] = []
        for round in 0..<rounds {
            // Alternate which goes first, so neither always meets a warm or cold page cache.
            let create = { try await mediaserver(["backup", "run", "--create-only", "--direct"]) }
            let rawCreate = { try await run("borgmatic", ["-c", config, "create", "--stats"], extra: raw) }
            if round % 2 == 0 {
                ours.append(try await create())
                borgmatic.append(try await rawCreate())
            } else {
                borgmatic.append(try await rawCreate())
                ours.append(try await create())
            }
            drill.append(try await mediaserver(["backup", "restore-drill", "--direct"]))
            let target = base.appendingPathComponent("raw-restore")
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            var seconds = try await run(
                "borgmatic", ["-c", config, "extract", "--archive", "latest", "--destination", target.path], extra: raw)
            for service in services {
                seconds += try await run(
                    "diff",
                    [
                        "-r", "--no-dereference", "\(sources.path)/\(service)",
                        target.path + sources.path + "/\(service)",
                    ])
            }
            baseline.append(seconds)
        }
        let best = { (values: [Double]) in values.min() ?? 0 }
        print("backup benchmark: \(bigMiB) MiB incompressible file + generated app data, best of \(rounds) rounds")
        print(String(format: "  mediaserver backup run --create-only: %.2f s", best(ours)))
        print(String(format: "  borgmatic create --stats (raw):       %.2f s", best(borgmatic)))
        print(String(format: "  ratio: %.2f", best(ours) / best(borgmatic)))
        print(String(format: "  mediaserver backup restore-drill:     %.2f s", best(drill)))
        print(String(format: "  borgmatic extract + diff -r (raw):    %.2f s", best(baseline)))
        print(String(format: "  ratio: %.2f", best(drill) / best(baseline)))
    }

    struct ExitCodeError: Error {}
}
