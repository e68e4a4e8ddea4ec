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
        var comparison = try compare(layout: layout, extracted: extracted)
        comparison.differences.sort { $0.path < $1.path }
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
            scratch: keep ? scratch.path : nil)
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

    struct Comparison {
        var files = 0
        var bytes: Int64 = 0
        var excluded = 0
        var databases = 0
        var differences: [Difference] = []
    }

    func compare(layout: Layout, extracted: URL) throws -> Comparison {
        let dumps = layout.extracted(extracted, layout.archiveDumpRoot)
        // The rendered excludes, plus the live database files pre-backup.sh replaced by its copies that run.
        let base = try String(contentsOf: layout.excludesFile, encoding: .utf8).split(separator: "\n").map(String.init)
        let generated = URL(fileURLWithPath: dumps + "/live-databases.exclude")
        let live = (try? String(contentsOf: generated, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        let patterns = BorgPatterns(lines: base + live)
        // Databases restored from their consistent copies, relative to the source root.
        let manifest = (try? String(contentsOfFile: dumps + "/MANIFEST.tsv", encoding: .utf8)) ?? ""
        let databases = Set(
            manifest.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap {
                $0.split(separator: "\t").first.map(String.init)
            })
        var result = Comparison()
        result.databases = databases.count
        let restoredRoot = layout.extracted(extracted, layout.archiveSourceRoot)
        for service in BackupRenderer.sources(driver.stack) {
            let name = service.name.rawValue
            let context = Walk(
                patterns: patterns, archiveRoot: layout.archiveSourceRoot, databases: databases,
                sourceRoot: layout.hostSourceRoot, restoredRoot: restoredRoot)
            try context.compare(relative: name, into: &result)
        }
        return result
    }

    /// The comparison of one tree, recursively.
    struct Walk {
        let patterns: BorgPatterns
        let archiveRoot: String
        let databases: Set<String>
        let sourceRoot: String
        let restoredRoot: String

        enum Kind: Equatable {
            case file(size: Int64, permissions: Int)
            case directory
            case link(String)
            case other
        }

        static func kind(_ path: String) -> Kind? {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
            let permissions = (attributes[.posixPermissions] as? Int) ?? 0
            switch attributes[.type] as? FileAttributeType {
            case .typeRegular?:
                return .file(
                    size: (attributes[.size] as? Int64) ?? Int64((attributes[.size] as? Int) ?? 0),
                    permissions: permissions)
            case .typeDirectory?: return .directory
            case .typeSymbolicLink?:
                return .link((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "")
            default: return .other
            }
        }

        func isExcluded(_ relative: String) -> Bool {
            patterns.excludes(archiveRoot + "/" + relative)
        }

        /// A folder holding a valid CACHEDIR.TAG is skipped (`exclude_caches: true`).
        static func isCacheDirectory(_ path: String) -> Bool {
            guard let handle = FileHandle(forReadingAtPath: path + "/CACHEDIR.TAG") else { return false }
            defer { try? handle.close() }
            let head = handle.readData(ofLength: 43)
            return String(decoding: head, as: UTF8.self) == "Signature: 8a477f597d28d172789f06886806bc55"
        }

        func compare(relative: String, into result: inout Comparison) throws {
            let source = sourceRoot + "/" + relative
            let restored = restoredRoot + "/" + relative
            if isExcluded(relative) {
                result.excluded += 1
                return
            }
            if databases.contains(relative) {
                // Restored from its consistent copy (checked by restore-dumps.sh), not from the live file.
                if Self.kind(restored) == nil {
                    result.differences.append(Difference(path: relative, problem: "database missing from the restore"))
                }
                return
            }
            let sourceKind = Self.kind(source)
            if sourceKind == .directory && Self.isCacheDirectory(source) {
                result.excluded += 1
                return
            }
            let restoredKind = Self.kind(restored)
            switch (sourceKind, restoredKind) {
            case (nil, nil): return
            case (nil, _?):
                result.differences.append(Difference(path: relative, problem: "in the restore but not in the sources"))
                return
            case (_?, nil):
                result.differences.append(Difference(path: relative, problem: "missing from the restore"))
                return
            case (let a?, let b?):
                switch (a, b) {
                case (.directory, .directory):
                    let names = Set(
                        ((try? FileManager.default.contentsOfDirectory(atPath: source)) ?? [])
                            + ((try? FileManager.default.contentsOfDirectory(atPath: restored)) ?? []))
                    for name in names.sorted() {
                        try compare(relative: relative + "/" + name, into: &result)
                    }
                case (.file(let size, let mode), .file(let otherSize, let otherMode)):
                    result.files += 1
                    result.bytes += size
                    if size != otherSize || !Self.sameContents(source, restored) {
                        result.differences.append(Difference(path: relative, problem: "contents differ"))
                    } else if mode != otherMode {
                        result.differences.append(
                            Difference(
                                path: relative,
                                problem:
                                    "permissions differ (\(String(mode, radix: 8)) vs \(String(otherMode, radix: 8)))"))
                    }
                case (.link(let target), .link(let otherTarget)):
                    result.files += 1
                    if target != otherTarget {
                        result.differences.append(Difference(path: relative, problem: "symbolic link target differs"))
                    }
                case (.other, .other):
                    return
                default:
                    result.differences.append(Difference(path: relative, problem: "file type differs"))
                }
            }
        }

        /// Compares two files chunk by chunk (1 MiB), stopping at the first difference.
        static func sameContents(_ a: String, _ b: String) -> Bool {
            guard let first = FileHandle(forReadingAtPath: a), let second = FileHandle(forReadingAtPath: b) else {
                return false
            }
            defer {
                try? first.close()
                try? second.close()
            }
            while true {
                let left = first.readData(ofLength: 1 << 20)
                let right = second.readData(ofLength: 1 << 20)
                if left != right { return false }
                if left.isEmpty { return true }
            }
        }
    }

    /// Bytes of the regular files under `path`.
    static func treeSize(_ path: String) -> Int64 {
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
