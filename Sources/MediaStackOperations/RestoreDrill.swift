import Foundation
import MediaStack
import MediaStackRendering

/// Proves the latest archive restores: extracts it into a scratch folder, puts the consistent database copies back
/// (backup/restore-dumps.sh, which checks each against its recorded SHA-256 and with `PRAGMA integrity_check`), and
/// compares every other file with the live sources by content, honouring the excludes.
///
/// Live databases are not compared with their sources: the apps keep writing them, and the archive holds the
/// point-in-time copy pre-backup.sh made, which is verified instead.
public struct RestoreDrill: Sendable {
    /// One file that did not come back as it is in the sources.
    public struct Difference: Sendable, Codable, Hashable {
        public let path: String
        public let problem: String
    }

    public struct Report: Sendable, Codable, Hashable {
        public let archive: String
        public let archiveTime: Date
        /// Age of the archive when the drill started: the data a restore now would lose at most.
        public let rpoSeconds: Int
        /// Extract, database restore and comparison: how long getting the data back takes.
        public let rtoSeconds: Double
        public let extractSeconds: Double
        public let compareSeconds: Double
        public let filesCompared: Int
        public let bytesCompared: Int64
        public let excludedPaths: Int
        public let databasesRestored: Int
        public let differences: [Difference]
        /// Peak resident memory of this process (the comparison's walk and readers; borg's is its own), in bytes.
        public let peakMemoryBytes: Int
        /// The scratch folder, when kept.
        public let scratch: String?

        public var identical: Bool { differences.isEmpty }
    }

    public let driver: BackupDriver

    public init(driver: BackupDriver) { self.driver = driver }

    /// Runs the drill in `scratch` (created when missing); removes the extracted tree afterwards unless `keep`.
    public func run(scratch: URL, keep: Bool = false) async throws -> Report {
        let clock = ContinuousClock()
        let archives = try await driver.archives()
        guard let latest = archives.last else {
            throw BackupError(
                step: "restore drill", cause: .noArchive, message: "the repository holds no archive yet",
                fix: "run `mediaserver backup run` first")
        }
        let rpo = Int(Date().timeIntervalSince(latest.start))
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let extracted = scratch.appendingPathComponent("extracted")
        defer { if !keep { try? FileManager.default.removeItem(at: scratch) } }
        let start = clock.now

        let layout: Layout
        switch driver.mode {
        case .direct(let paths):
            layout = Layout(
                archiveSourceRoot: paths.sourceRoot, archiveDumpRoot: paths.dumpRoot, hostSourceRoot: paths.sourceRoot,
                excludesFile: paths.checkout.appendingPathComponent(BackupPaths.excludesFile))
            try FileManager.default.createDirectory(at: extracted, withIntermediateDirectories: true)
            try await driver.step(
                "extracting \(latest.name)",
                try driver.borgmatic(["extract", "--archive", latest.name, "--destination", extracted.path]))
            let env = try driver.directEnvironment(paths)
            try await driver.step(
                "restoring the database copies",
                BackupDriver.Invocation(
                    executable: "sh",
                    arguments: [
                        paths.backupDirectory + "/restore-dumps.sh",
                        layout.extracted(extracted, layout.archiveDumpRoot),
                        layout.extracted(extracted, layout.archiveSourceRoot),
                    ], environment: env, workingDirectory: nil))
        case .compose(let target):
            layout = Layout(
                archiveSourceRoot: BackupPaths.sourceRoot, archiveDumpRoot: BackupPaths.dumpRoot,
                hostSourceRoot: driver.stack.settings[.configRoot],
                excludesFile: target.checkout.appendingPathComponent(BackupPaths.excludesFile))
            let inside = "/tmp/mediaserver-drill"
            let script = """
                set -eu; rm -rf \(inside); mkdir -p \(inside)
                borgmatic extract --archive '\(latest.name)' --destination \(inside)
                sh \(BackupPaths.backupDirectory)/restore-dumps.sh \(inside)\(BackupPaths.dumpRoot) \
                \(inside)\(BackupPaths.sourceRoot)
                """
            try await driver.step(
                "extracting \(latest.name) in the container",
                driver.exec(target, service: BackupDriver.backupService, ["sh", "-c", script]))
            let copy = BackupDriver.Invocation(
                executable: target.cli.prefix[0],
                arguments: Array(target.cli.prefix.dropFirst())
                    + ComposeCLI.fileArguments([.core], envFile: target.envFile)
                    + ["cp", "\(BackupDriver.backupService):\(inside)/.", extracted.path],
                environment: nil, workingDirectory: target.checkout.path)
            try await driver.step("copying the restore out of the container", copy)
            try await driver.step(
                "cleaning up the container",
                driver.exec(target, service: BackupDriver.backupService, ["rm", "-rf", inside]), allowFailure: true)
        }
        let extractEnd = clock.now
        driver.progress("comparing the restore with the sources …")
        let comparison = try await compare(layout: layout, extracted: extracted)
        let end = clock.now
        driver.progress(
            "compared \(comparison.files) files (\(comparison.bytes) bytes) in "
                + String(format: "%.1f s", BackupDriver.seconds(end - extractEnd)))
        return Report(
            archive: latest.name, archiveTime: latest.start, rpoSeconds: rpo,
            rtoSeconds: BackupDriver.seconds(end - start),
            extractSeconds: BackupDriver.seconds(extractEnd - start),
            compareSeconds: BackupDriver.seconds(end - extractEnd),
            filesCompared: comparison.files, bytesCompared: comparison.bytes, excludedPaths: comparison.excluded,
            databasesRestored: comparison.databases, differences: comparison.differences,
            peakMemoryBytes: Self.peakMemoryBytes(), scratch: keep ? scratch.path : nil)
    }

    /// Where the archive's trees are and what they are compared with.
    struct Layout {
        /// The source root as the archive stores it (the path borgmatic saw).
        let archiveSourceRoot: String
        let archiveDumpRoot: String
        /// The live sources on this host.
        let hostSourceRoot: String
        let excludesFile: URL

        func extracted(_ extracted: URL, _ archivePath: String) -> String {
            extracted.path + "/" + archivePath.drop { $0 == "/" }
        }
    }

    /// What a comparison found.
    public struct Comparison: Sendable {
        public var files = 0
        public var bytes: Int64 = 0
        public var excluded = 0
        public var databases = 0
        /// Sorted by path.
        public var differences: [Difference] = []
    }

    func compare(layout: Layout, extracted: URL) async throws -> Comparison {
        try await Self.compare(
            sources: layout.hostSourceRoot, restored: layout.extracted(extracted, layout.archiveSourceRoot),
            archiveSourceRoot: layout.archiveSourceRoot, dumps: layout.extracted(extracted, layout.archiveDumpRoot),
            excludesFile: layout.excludesFile, folders: BackupRenderer.sources(driver.stack).map(\.name.rawValue),
            progressInterval: .seconds(driver.progressInterval), progress: driver.progress)
    }

    /// Compares the restored `folders` under `restored` with those under `sources`, honouring the excludes of
    /// `excludesFile` and the live databases the backup replaced by consistent copies (listed in `dumps`, the
    /// restored dump folder), and skipping folders with a CACHEDIR.TAG. `archiveSourceRoot` is the source root as
    /// the archive stores it, which the patterns match. Reports progress every `progressInterval`.
    public static func compare(
        sources: String, restored: String, archiveSourceRoot: String, dumps: String, excludesFile: URL,
        folders: [String], readers: Int = max(2, ProcessInfo.processInfo.activeProcessorCount),
        progressInterval: Duration = .seconds(10), progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> Comparison {
        // The rendered excludes, plus the live database files pre-backup.sh replaced by its copies that run.
        let base = try String(contentsOf: excludesFile, encoding: .utf8).split(separator: "\n").map(String.init)
        let generated = URL(fileURLWithPath: dumps + "/live-databases.exclude")
        let live = (try? String(contentsOf: generated, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        let patterns = BorgPatterns(lines: base + live)
        // Databases restored from their consistent copies, relative to the source root.
        let manifest = (try? String(contentsOfFile: dumps + "/MANIFEST.tsv", encoding: .utf8)) ?? ""
        let databases = Set(
            manifest.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap {
                $0.split(separator: "\t").first.map { Array($0.utf8) }
            })
        let comparison = TreeComparison(
            patterns: patterns, archiveRoot: archiveSourceRoot, databases: databases, sourceRoot: sources,
            restoredRoot: restored, readers: readers)
        let shared = TreeComparison.Shared(capacity: 32)
        let clock = ContinuousClock()
        let start = clock.now
        let reporter = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: progressInterval)
                let (files, bytes) = shared.progress
                let seconds = max(BackupDriver.seconds(clock.now - start), 0.001)
                progress(
                    String(
                        format: "comparing: %d files, %.1f MB so far (%.0f files/s, %.1f MB/s)", files,
                        Double(bytes) / 1e6, Double(files) / seconds, Double(bytes) / 1e6 / seconds))
            }
        }
        defer { reporter.cancel() }
        var result = await withCheckedContinuation { (continuation: CheckedContinuation<Comparison, Never>) in
            Thread { continuation.resume(returning: comparison.run(names: folders, shared: shared)) }.start()
        }
        result.databases = databases.count
        result.differences.sort { $0.path < $1.path }
        return result
    }

    /// This process's peak resident memory so far (`getrusage`; Linux counts kibibytes, macOS bytes).
    public static func peakMemoryBytes() -> Int {
        var usage = rusage()
        #if canImport(Darwin)
            guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
            return Int(usage.ru_maxrss)
        #else
            guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
            return Int(usage.ru_maxrss) * 1024
        #endif
    }

    /// Bytes of the regular files under `path`.
    public static func treeSize(_ path: String) -> Int64 {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total: Int64 = 0
        while enumerator.nextObject() != nil {
            if let size = enumerator.fileAttributes?[.size] as? Int64 {
                total += size
            } else if let size = enumerator.fileAttributes?[.size] as? Int {
                total += Int64(size)
            }
        }
        return total
    }
}
