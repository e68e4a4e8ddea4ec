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
        defer { if !keep { Self.removeTree(scratch.path) } }
        let start = clock.now

        let layout: Layout
        let compareStart: ContinuousClock.Instant
        let extractEnd: ContinuousClock.Instant
        var comparison: Comparison
        switch driver.mode {
        case .direct(let paths):
            layout = Layout(
                archiveSourceRoot: paths.sourceRoot, archiveDumpRoot: paths.dumpRoot, hostSourceRoot: paths.sourceRoot,
                excludesFile: paths.checkout.appendingPathComponent(BackupPaths.excludesFile))
            let dumps = scratch.appendingPathComponent("dumps")
            for folder in [extracted, dumps] {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            }
            // Borg extracts on one core; the comparison runs beside it on the other, reading each restored entry
            // once borg is done with it.
            let extraction = TreeComparison.Extraction()
            let driver = self.driver
            let name = latest.name
            let whole = try driver.borgmatic(["extract", "--archive", name, "--destination", extracted.path])
            let extracting = Task {
                defer { extraction.finish() }
                try await driver.step("extracting \(name)", whole)
            }
            do {
                // The database copies, their manifest and the list of live files they replaced are archived last,
                // and the comparison needs them first: a second, small extract of the dump folder alone.
                try await driver.step(
                    "extracting the database copies of \(name)",
                    try driver.borgmatic([
                        "extract", "--archive", name, "--path", paths.dumpRoot, "--destination", dumps.path,
                    ]))
            } catch {
                extracting.cancel()
                _ = await extracting.result
                throw error
            }
            let dumpFolder = layout.extracted(dumps, layout.archiveDumpRoot)
            compareStart = clock.now
            driver.progress("comparing the restore with the sources while borg extracts …")
            let comparing = Task {
                try await Self.compare(
                    sources: layout.hostSourceRoot, restored: layout.extracted(extracted, layout.archiveSourceRoot),
                    archiveSourceRoot: layout.archiveSourceRoot, dumps: dumpFolder, excludesFile: layout.excludesFile,
                    folders: BackupRenderer.sources(driver.stack).map(\.name.rawValue),
                    readers: max(2, ProcessInfo.processInfo.activeProcessorCount),
                    progressInterval: .seconds(driver.progressInterval), progress: driver.progress,
                    extraction: extraction, release: !keep)
            }
            let outcome = await extracting.result
            extractEnd = clock.now
            do {
                try outcome.get()
                try await driver.step(
                    "restoring the database copies",
                    BackupDriver.Invocation(
                        executable: "sh",
                        arguments: [
                            paths.backupDirectory + "/restore-dumps.sh", dumpFolder + "/" + BackupPaths.dumpManifest,
                            layout.extracted(extracted, layout.archiveSourceRoot),
                        ], environment: try driver.directEnvironment(paths), workingDirectory: nil))
            } catch {
                comparing.cancel()
                _ = await comparing.result
                throw error
            }
            comparison = try await comparing.value
            // The databases restore-dumps.sh has just put back.
            let restoredRoot = layout.extracted(extracted, layout.archiveSourceRoot)
            for database in comparison.pendingDatabases {
                var status = stat()
                if lstat(restoredRoot + "/" + database, &status) != 0 {
                    comparison.differences.append(
                        Difference(path: database, problem: "database missing from the restore"))
                }
            }
            comparison.differences.sort { $0.path < $1.path }
        case .compose(let target):
            layout = Layout(
                archiveSourceRoot: BackupPaths.sourceRoot, archiveDumpRoot: BackupPaths.dumpRoot,
                hostSourceRoot: driver.stack.settings[.configRoot],
                excludesFile: target.checkout.appendingPathComponent(BackupPaths.excludesFile))
            let inside = "/tmp/mediaserver-drill"
            let script = """
                set -eu; rm -rf \(inside); mkdir -p \(inside)
                borgmatic extract --archive '\(latest.name)' --destination \(inside)
                sh \(BackupPaths.backupDirectory)/restore-dumps.sh \
                \(inside)\(BackupPaths.dumpRoot)/\(BackupPaths.dumpManifest) \(inside)\(BackupPaths.sourceRoot)
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
            extractEnd = clock.now
            compareStart = extractEnd
            driver.progress("comparing the restore with the sources …")
            comparison = try await compare(layout: layout, extracted: extracted, release: !keep)
        }
        let end = clock.now
        driver.progress(
            "compared \(comparison.files) files (\(comparison.bytes) bytes) in "
                + String(format: "%.1f s", BackupDriver.seconds(end - compareStart)))
        return Report(
            archive: latest.name, archiveTime: latest.start, rpoSeconds: rpo,
            rtoSeconds: BackupDriver.seconds(end - start),
            extractSeconds: BackupDriver.seconds(extractEnd - start),
            compareSeconds: BackupDriver.seconds(end - compareStart),
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
        /// Databases of the manifest whose restored copy is still to be checked (compared during an extraction).
        var pendingDatabases: [String] = []
    }

    func compare(layout: Layout, extracted: URL, release: Bool) async throws -> Comparison {
        try await Self.compare(
            sources: layout.hostSourceRoot, restored: layout.extracted(extracted, layout.archiveSourceRoot),
            archiveSourceRoot: layout.archiveSourceRoot, dumps: layout.extracted(extracted, layout.archiveDumpRoot),
            excludesFile: layout.excludesFile, folders: BackupRenderer.sources(driver.stack).map(\.name.rawValue),
            readers: max(2, ProcessInfo.processInfo.activeProcessorCount),
            progressInterval: .seconds(driver.progressInterval), progress: driver.progress, extraction: nil,
            release: release)
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
        try await compare(
            sources: sources, restored: restored, archiveSourceRoot: archiveSourceRoot, dumps: dumps,
            excludesFile: excludesFile, folders: folders, readers: readers, progressInterval: progressInterval,
            progress: progress, extraction: nil)
    }

    /// `compare`, while `extraction` (when given) still writes `restored`; the databases in the manifest are then
    /// returned in `pendingDatabases`, for the caller to check once restore-dumps.sh has put them back. With
    /// `release`, each restored file that compared equal is removed at once (see `TreeComparison.release`).
    static func compare(
        sources: String, restored: String, archiveSourceRoot: String, dumps: String, excludesFile: URL,
        folders: [String], readers: Int, progressInterval: Duration, progress: @escaping @Sendable (String) -> Void,
        extraction: TreeComparison.Extraction?, release: Bool = false
    ) async throws -> Comparison {
        // The rendered excludes, plus the live database files pre-backup.sh replaced by its copies that run.
        let base = try String(contentsOf: excludesFile, encoding: .utf8).split(separator: "\n").map(String.init)
        let generated = URL(fileURLWithPath: dumps + "/" + BackupPaths.liveDatabaseExcludes)
        let live = (try? String(contentsOf: generated, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        let patterns = BorgPatterns(lines: base + live)
        // Databases restored from their consistent copies, relative to the source root.
        let manifest = (try? String(contentsOfFile: dumps + "/" + BackupPaths.dumpManifest, encoding: .utf8)) ?? ""
        let databases = Set(
            manifest.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap {
                $0.split(separator: "\t").first.map { Array($0.utf8) }
            })
        let comparison = TreeComparison(
            patterns: patterns, archiveRoot: archiveSourceRoot, databases: databases, sourceRoot: sources,
            restoredRoot: restored, readers: readers, extraction: extraction, release: release)
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

    /// Removes `path` and everything below it, as `rm -rf` does: folders are listed through descriptors and their
    /// entries unlinked by name, without examining each one (the listing tells a folder from the rest).
    static func removeTree(_ path: String) {
        let folder = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if folder < 0 {
            unlink(path)
            return
        }
        emptyFolder(folder)
        rmdir(path)
    }

    /// Removes everything in the open `folder`; closes it.
    private static func emptyFolder(_ folder: Int32) {
        guard let directory = fdopendir(folder) else {
            close(folder)
            return
        }
        defer { closedir(directory) }
        var folders: [[CChar]] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) {
                    Array(UnsafeBufferPointer(start: $0, count: strlen($0) + 1))
                }
            }
            if name == [46, 0] || name == [46, 46, 0] { continue }
            let type = entry.pointee.d_type
            if type == DT_DIR || (type == DT_UNKNOWN && unlinkat(folder, name, 0) != 0 && errno == EISDIR) {
                folders.append(name)
            } else if type != DT_UNKNOWN {
                unlinkat(folder, name, 0)
            }
        }
        // Folders after the listing, so the listing is not disturbed; they hold only what is left.
        for name in folders {
            let child = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if child >= 0 { emptyFolder(child) }
            unlinkat(folder, name, AT_REMOVEDIR)
        }
    }

    /// Bytes of the regular files under `path` (folders and links count nothing), walked without following links.
    public static func treeSize(_ path: String) -> Int64 {
        let folder = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { return 0 }
        return treeSize(folder)
    }

    /// Bytes of the regular files in the open `folder` and below; closes `folder`.
    private static func treeSize(_ folder: Int32) -> Int64 {
        guard let directory = fdopendir(folder) else {
            close(folder)
            return 0
        }
        defer { closedir(directory) }
        var total: Int64 = 0
        for name in TreeComparison.Walk.names(directory) {
            let cName = (name + [0]).map { CChar(bitPattern: $0) }
            var status = stat()
            guard fstatat(folder, cName, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFREG: total += Int64(status.st_size)
            case S_IFDIR:
                let child = openat(folder, cName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if child >= 0 { total += treeSize(child) }
            default: continue
            }
        }
        return total
    }
}
