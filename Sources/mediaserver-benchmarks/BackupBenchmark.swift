import Foundation
import MediaStack
import MediaStackOperations

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Measures `mediaserver backup run` against raw `borgmatic create`, `mediaserver backup restore-drill` against a raw
/// `borgmatic extract` plus `diff -rq`, and the drill's comparison alone against `diff -rq` alone, on the same
/// generated data and repository, alternating which goes first in each round. Each run is its own process, timed
/// and measured for its peak resident memory (`wait4`: the largest of the process and the children it waited for).
///
/// Usage: mediaserver-benchmarks backup [--files N] [--big-mib M] [--rounds R] [--only run,drill,compare]
///        [--compare-only] [--keep] [--reuse FOLDER]
///
/// The data set is the test suite's app data (`Tests/Fixtures/backup/make_data.py`, with one incompressible file of
/// M MiB) plus a Plex metadata tree of N small files (default 120,000) in bundles as Plex lays them out, and cache
/// and media folders the excludes leave out. `--compare-only` skips borg: the restore is a `cp -a` of the sources,
/// and only the comparison and `diff -rq` are measured (for sizes where a backup takes too long). `--only` runs some
/// of the three pairs (`run`: backup run against borgmatic create; `drill`: the drill against extract + diff;
/// `compare`: the comparison alone against diff alone), so one question takes less than a full run.
enum BackupBenchmark {
    struct Options {
        var files = 120_000
        var bigMiB = 512
        var rounds = 2
        var compareOnly = false
        /// Keeps the data set, repository and logs (their folder is printed).
        var keep = false
        /// A folder kept by an earlier `--keep` run: its data set and repository are measured again, not remade.
        var reuse: String?
        var only: Set<String> = Self.pairs
        static let pairs: Set<String> = ["run", "drill", "compare"]
        static let usage =
            "usage: mediaserver-benchmarks backup [--files N] [--big-mib M] [--rounds R] [--only run,drill,compare]"
            + " [--compare-only] [--keep] [--reuse FOLDER]"

        init(_ arguments: [String]) throws {
            var rest = arguments[...]
            func number(_ flag: String) throws -> Int {
                guard let text = rest.popFirst(), let value = Int(text.replacingOccurrences(of: "_", with: "")),
                    value >= 0
                else {
                    say("\(flag) needs a number")
                    throw ExitCodeError()
                }
                return value
            }
            while let argument = rest.popFirst() {
                switch argument {
                case "--files": files = try number(argument)
                case "--big-mib": bigMiB = try number(argument)
                case "--rounds": rounds = max(1, try number(argument))
                case "--compare-only": compareOnly = true
                case "--keep": keep = true
                case "--reuse": reuse = rest.popFirst()
                case "--only":
                    only = Set((rest.popFirst() ?? "").split(separator: ",").map(String.init))
                    guard !only.isEmpty, only.isSubset(of: Self.pairs) else {
                        say("--only takes a comma-separated list of run, drill, compare")
                        throw ExitCodeError()
                    }
                default:
                    say(Self.usage)
                    throw ExitCodeError()
                }
            }
        }
    }

    /// One measured run.
    struct Measurement {
        var seconds: Double
        var peakKiB: Int
        var status: Int32
        /// Standard output, then standard error.
        var output: String
        var standardOutput = ""
    }

    static func run(_ arguments: [String]) async throws {
        let options = try Options(arguments)
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let benchmarks = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let executable = URL(fileURLWithPath: benchmarks).deletingLastPathComponent()
            .appendingPathComponent("mediaserver").path
        guard options.compareOnly || FileManager.default.isExecutableFile(atPath: executable) else {
            say("build mediaserver beside the benchmarks first: swift build -c release")
            throw ExitCodeError()
        }
        let reusing = options.reuse != nil
        let base =
            options.reuse.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "mediaserver-backup-bench-\(UUID().uuidString.prefix(8))")
        defer {
            if options.keep || reusing {
                say("kept in \(base.path)")
            } else {
                try? FileManager.default.removeItem(at: base)
            }
        }
        let checkout = base.appendingPathComponent("checkout")
        // `mediaserver render` writes a user's render (from the checkout's .env) into deploy/.
        let rendered = checkout.appendingPathComponent(RenderLocation.deploymentFolder)
        let sources = base.appendingPathComponent("config")
        let repository = base.appendingPathComponent("repo")
        let logs = base.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: checkout, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = base.appendingPathComponent("home").path
        let passphrase = "benchmark passphrase"
        let clock = ContinuousClock()
        let began = clock.now

        var counter = 0
        func measure(_ arguments: [String], extra: [String: String] = [:], check: Bool = true) throws -> Measurement {
            // Untimed: what the previous run left for the kernel to write back would otherwise slow this one.
            sync()
            counter += 1
            let log = logs.appendingPathComponent("\(counter).log").path
            let result = try spawn(arguments, environment: environment.merging(extra) { $1 }, log: log)
            if check && result.status != 0 {
                say("`\(arguments.joined(separator: " "))` failed (\(result.status)):\n\(result.output.suffix(4000))")
                throw ExitCodeError()
            }
            return result
        }

        var generated = PlexTree.Summary()
        if !reusing {
            say("generating the data set …")
            _ = try measure([
                "python3", here.appendingPathComponent("Tests/Fixtures/backup/make_data.py").path, sources.path,
                "1",
            ])
            generated = try PlexTree.generate(in: sources.path, files: options.files)
            // make_data.py's one large file, at the size asked (Python's randbytes stops short of 512 MiB).
            try PlexTree.incompressible(
                sources.path + "/" + PlexTree.root + "/Metadata/Movies/1/abc.bundle/Contents/big.bin",
                mebibytes: options.bigMiB)
        }
        generated.bytes = RestoreDrill.treeSize(sources.path)
        let services = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter {
            $0 != "node_exporter"
        }.sorted()
        let excludes = rendered.appendingPathComponent("backup/excludes.txt")
        let target = base.appendingPathComponent("raw-restore")
        let dumps = target.path + repository.path + "-dumps"

        func mediaserver(_ arguments: [String]) throws -> Measurement {
            try measure([executable] + arguments + ["--root", checkout.path])
        }
        /// `diff -rq` per service folder: total seconds, largest peak.
        func diff() throws -> Measurement {
            var total = Measurement(seconds: 0, peakKiB: 0, status: 0, output: "")
            for service in services {
                let run = try measure(
                    [
                        "diff", "-rq", "--no-dereference", "\(sources.path)/\(service)",
                        target.path + sources.path + "/\(service)",
                    ], check: false)
                if run.status > 1 {
                    say("diff failed: \(run.output.suffix(2000))")
                    throw ExitCodeError()
                }
                total.seconds += run.seconds
                total.peakKiB = max(total.peakKiB, run.peakKiB)
            }
            return total
        }
        func compareAlone() throws -> Measurement {
            try measure([
                benchmarks, "compare-trees", sources.path, target.path + sources.path, sources.path, dumps,
                excludes.path, services.joined(separator: ","),
            ])
        }

        var table: [String: [Measurement]] = [:]
        func record(_ name: String, _ measurement: Measurement) { table[name, default: []].append(measurement) }
        /// Runs `first` and `second`, swapping their order every other round.
        func interleaved(_ round: Int, _ first: () throws -> Void, _ second: () throws -> Void) throws {
            if round % 2 == 0 {
                try first()
                try second()
            } else {
                try second()
                try first()
            }
        }

        if options.compareOnly {
            if !reusing {
                say("copying the sources as the restore …")
                try FileManager.default.createDirectory(
                    atPath: target.path + sources.deletingLastPathComponent().path, withIntermediateDirectories: true)
                _ = try measure(["cp", "-a", sources.path, target.path + sources.path])
                try FileManager.default.createDirectory(atPath: dumps, withIntermediateDirectories: true)
                try FileManager.default.createDirectory(
                    at: excludes.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.copyItem(at: here.appendingPathComponent("backup/excludes.txt"), to: excludes)
            }
            for round in 0..<options.rounds {
                say("round \(round + 1) of \(options.rounds) …")
                try interleaved(round, { record("compare", try compareAlone()) }, { record("diff", try diff()) })
            }
        } else {
            let example = try String(contentsOf: here.appendingPathComponent(".env.example"), encoding: .utf8)
            let overrides = [
                "CONFIG_ROOT": sources.path, "BACKUP_ROOT": repository.path,
                "DISABLED_SERVICES": "overseerr,filebrowser", "BORG_PASSPHRASE": "\"\(passphrase)\"",
            ]
            let settings = example.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#"),
                    let value = overrides[String(line[..<equals])]
                else { return String(line) }
                return "\(line[..<equals])=\(value)"
            }.joined(separator: "\n")
            if !reusing {
                try settings.write(to: checkout.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
                _ = try mediaserver(["render"])
                _ = try mediaserver(["backup", "init", "--direct"])
                say("first, full backup …")
                _ = try mediaserver(["backup", "run", "--create-only", "--direct"])
            }

            // What `--direct` sets, so raw borgmatic runs the very same config, hooks and repository, in a runtime
            // base of its own as `--direct` does (BorgmaticRuntimeDirectory): a borgmatic beside it in /tmp would
            // clear its bootstrap manifest.
            let raw = [
                BackupPaths.backupDirectoryVariable: rendered.appendingPathComponent("backup").path,
                BackupPaths.sourceRootVariable: sources.path,
                BackupPaths.dumpRootVariable: repository.path + "-dumps",
                BackupPaths.repositoryVariable: repository.path,
                BackupPaths.textfileDirectoryVariable: sources.appendingPathComponent(Catalog.textfileFolder).path,
                "BORG_PASSPHRASE": passphrase,
                "XDG_RUNTIME_DIR": base.appendingPathComponent("runtime").path,
            ]
            let config = rendered.appendingPathComponent("backup/config/config.yaml").path
            let scratch = base.appendingPathComponent("drill")
            if !options.only.contains("drill") && options.only.contains("compare") {
                say("extracting the restore the comparison reads …")
                try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                _ = try measure(
                    ["borgmatic", "-c", config, "extract", "--archive", "latest", "--destination", target.path],
                    extra: raw)
            }
            for round in 0..<options.rounds {
                say("round \(round + 1) of \(options.rounds) …")
                if options.only.contains("run") {
                    try interleaved(
                        round, { record("run", try mediaserver(["backup", "run", "--create-only", "--direct"])) },
                        { record("create", try measure(["borgmatic", "-c", config, "create", "--stats"], extra: raw)) }
                    )
                }
                if options.only.contains("drill") {
                    try interleaved(
                        round,
                        {
                            // The drill as a user runs it: it removes its restore (as it goes) before it exits.
                            let drill = try mediaserver([
                                "backup", "restore-drill", "--direct", "--json", "--scratch", scratch.path,
                            ])
                            record("drill", drill)
                            for (name, seconds, peakKiB) in try Self.phases(drill) {
                                record(name, Measurement(seconds: seconds, peakKiB: peakKiB, status: 0, output: ""))
                            }
                        },
                        {
                            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                            var extract = try measure(
                                [
                                    "borgmatic", "-c", config, "extract", "--archive", "latest", "--destination",
                                    target.path,
                                ], extra: raw)
                            let compared = try diff()
                            record("extract", extract)
                            extract.seconds += compared.seconds
                            extract.peakKiB = max(extract.peakKiB, compared.peakKiB)
                            record("extract+diff", extract)
                            // The comparison alone and diff alone read this restore against the sources.
                            if options.only.contains("compare") {
                                try interleaved(
                                    round, { record("compare", try compareAlone()) }, { record("diff", try diff()) })
                            }
                            let removal = try measure(["rm", "-rf", target.path])
                            record("extract.rm", removal)
                            extract.seconds += removal.seconds
                            record("extract+diff+rm", extract)
                        })
                } else if options.only.contains("compare") {
                    // The raw restore extracted before the rounds stays.
                    try interleaved(round, { record("compare", try compareAlone()) }, { record("diff", try diff()) })
                }
            }
        }

        let best = { (name: String) -> Double in table[name]?.map(\.seconds).min() ?? 0 }
        let peak = { (name: String) -> Double in Double(table[name]?.map(\.peakKiB).max() ?? 0) / 1024 }
        let total = BackupDriver.seconds(clock.now - began)
        say(
            "\nbackup benchmark: "
                + (reusing
                    ? "the data set of \(base.path),"
                    : "\(generated.files) small Plex metadata files (\(generated.excluded) more in excluded folders)"
                        + " + \(options.bigMiB) MiB file + generated app data,")
                + " \(String(format: "%.0f", Double(generated.bytes) / 1e6)) MB of files in all;"
                + " best of \(options.rounds) rounds, \(String(format: "%.0f", total)) s in all")
        say("| run | time | ratio | peak memory |")
        say("|---|---|---|---|")
        func row(_ label: String, _ name: String, against baseline: String?) {
            // A pair left out with --only has no figures: no row, rather than a 0.00 s that reads as measured.
            guard table[name] != nil else { return }
            var ratio = ""
            if let baseline, let runs = table[name], let bases = table[baseline] {
                // Each round's two runs follow each other, so a round's ratio sees the same machine load.
                let rounds = zip(runs, bases).map { $0.seconds / max($1.seconds, 0.0001) }
                let sorted = rounds.sorted()
                let median =
                    sorted.isEmpty
                    ? 0
                    : sorted.count % 2 == 1
                        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
                ratio = String(
                    format: "%.2f × baseline (best of each); per round %@, median %.2f",
                    best(name) / max(best(baseline), 0.0001),
                    rounds.map { String(format: "%.2f", $0) }.joined(separator: ", "), median)
            }
            say(String(format: "| %@ | %.2f s | %@ | %.1f MiB |", label, best(name), ratio, peak(name)))
        }
        if !options.compareOnly {
            row("`mediaserver backup run --create-only`", "run", against: "create")
            row("`borgmatic create --stats` (baseline)", "create", against: nil)
            row("`mediaserver backup restore-drill` (removes its restore)", "drill", against: "extract+diff+rm")
            row("`borgmatic extract` + `diff -rq` + `rm -rf` (baseline)", "extract+diff+rm", against: nil)
            row("the same drill against `borgmatic extract` + `diff -rq`", "drill", against: "extract+diff")
            row("`borgmatic extract` + `diff -rq` (baseline, restore left on disk)", "extract+diff", against: nil)
            row("`rm -rf` of the raw restore", "extract.rm", against: nil)
            row("drill's extract phase (`--json` extractSeconds)", "drill.extract", against: "extract")
            row("`borgmatic extract` alone (baseline)", "extract", against: nil)
            row(
                "drill's comparison, beside the extract (`--json` compareSeconds; memory: the drill process alone)",
                "drill.compare", against: nil)
            row(
                "drill after borg's extract (restore-dumps.sh, the comparison's end: rtoSeconds − extractSeconds)",
                "drill.after", against: "diff")
        }
        row("comparison alone (`compare-trees`)", "compare", against: "diff")
        row("`diff -rq` alone (baseline)", "diff", against: nil)
    }

    /// The drill's own figures for its phases, from its `--json` report.
    static func phases(_ drill: Measurement) throws -> [(String, Double, Int)] {
        guard let start = drill.standardOutput.firstIndex(of: "{"),
            let object = try JSONSerialization.jsonObject(with: Data(drill.standardOutput[start...].utf8))
                as? [String: Any],
            let extract = object["extractSeconds"] as? Double, let compare = object["compareSeconds"] as? Double,
            let recovery = object["rtoSeconds"] as? Double, let memory = object["peakMemoryBytes"] as? Int
        else { return [] }
        return [
            ("drill.extract", extract, 0), ("drill.compare", compare, memory / 1024),
            ("drill.after", recovery - extract, 0),
        ]
    }

    /// Runs `arguments` (the first looked up on PATH) with stdout then stderr in `log`; times it and reads its peak
    /// resident memory from `wait4`.
    static func spawn(_ arguments: [String], environment: [String: String], log: String) throws -> Measurement {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, log + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let clock = ContinuousClock()
        let start = clock.now
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        guard spawned == 0 else {
            say("cannot run \(arguments[0]): \(String(cString: strerror(spawned)))")
            throw ExitCodeError()
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = BackupDriver.seconds(clock.now - start)
        let standardOutput = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let output = standardOutput + ((try? String(contentsOfFile: log + ".err", encoding: .utf8)) ?? "")
        let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Measurement(
            seconds: seconds, peakKiB: Int(usage.ru_maxrss), status: exit, output: output,
            standardOutput: standardOutput)
    }

    /// `mediaserver-benchmarks compare-trees SOURCES RESTORED ARCHIVE-ROOT DUMPS EXCLUDES FOLDER,…`: the drill's
    /// comparison alone, in its own process so its time and memory are its own.
    static func compareTrees(_ arguments: [String]) async throws {
        guard arguments.count == 6 else {
            say("usage: mediaserver-benchmarks compare-trees SOURCES RESTORED ARCHIVE-ROOT DUMPS EXCLUDES FOLDER,…")
            throw ExitCodeError()
        }
        let result = try await RestoreDrill.compare(
            sources: arguments[0], restored: arguments[1], archiveSourceRoot: arguments[2], dumps: arguments[3],
            excludesFile: URL(fileURLWithPath: arguments[4]),
            folders: arguments[5].split(separator: ",").map(String.init), progressInterval: .seconds(5),
            progress: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        say(
            "compared \(result.files) files, \(result.bytes) bytes; \(result.excluded) excluded;"
                + " \(result.differences.count) differences")
    }

    /// Prints a line at once (standard output is a file when the run is logged, and a crash loses its buffer).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    struct ExitCodeError: Error {}
}
