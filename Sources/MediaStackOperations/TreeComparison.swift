import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Compares a restored tree with its live sources by content, as the restore drill does, at disk speed.
///
/// One thread walks both trees depth first (each folder listed once, entries examined with `fstatat` relative to
/// the open folder) and decides everything it can from the metadata: excludes, database copies, CACHEDIR.TAG,
/// missing and extra entries, types, sizes, link targets. Files of equal size go, in batches, through a bounded
/// queue to one reader per core, which compare them chunk by chunk. Memory depends on the widest folder and the
/// queue's bound, not on the number of files; the differences found are the only list that grows.
///
/// With an `Extraction`, the walk runs while borg is still writing the restored tree, on the core borg leaves idle:
/// it visits each folder's entries in the order borg archived and extracts them (by inode number), and reads a
/// restored entry only once borg is done with it, which the entry's modification time tells (see `Extraction`).
struct TreeComparison {
    let patterns: BorgPatterns
    /// The source root as the archive stores it (what the patterns are matched against).
    let archiveRoot: String
    /// Relative paths restored from their consistent copies.
    let databases: Set<[UInt8]>
    let sourceRoot: String
    let restoredRoot: String
    let readers: Int
    /// Borg still extracting into `restoredRoot`, or nil when the restore is complete.
    var extraction: Extraction? = nil
    /// Removes each restored file as soon as it compared equal (the drill without `--keep`), so the restore never
    /// holds more than what is still to compare, and a file removed before the kernel wrote it back never reaches
    /// the disk. Files with more than one link in the sources stay: borg restores the later links of a hard-linked
    /// file by linking them to the first one it extracted (borgbackup/borg 1.4.5 `src/borg/archive.py`
    /// `extract_helper`, `os.link`), which must therefore still be there.
    var release = false

    /// Borg extracting the restored tree while the comparison reads it.
    ///
    /// Borg extracts an archive's items in the order `borg create` stored them (each folder's entries sorted by
    /// inode number, `scandir_inorder`), writes a file's data, then restores its attributes with the modification
    /// time last (borgbackup/borg 1.4.5 `src/borg/archive.py` `extract_item` and `restore_attrs`), and restores a
    /// folder's attributes when it leaves the folder (`src/borg/archiver.py` `do_extract`, its `dirs` stack). So
    /// an entry whose modification time lies before the extraction started is complete (for a folder: with all it
    /// holds), and one still being written carries a time after it. An entry archived with a time after the start
    /// (a clock set wrong) is read once its folder is complete, or once borg has exited.
    final class Extraction: @unchecked Sendable {
        private let lock = NSLock()
        private var running = true
        /// Wall-clock time, in nanoseconds since 1970, taken before borg started.
        let started: Int64

        init() {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            started = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        }

        /// Whether borg may still write into the restored tree.
        var isRunning: Bool { lock.withLock { running } }

        /// Borg has exited: everything is in place.
        func finish() { lock.withLock { running = false } }

        /// Whether `status` (of a restored entry) shows borg has restored its attributes.
        func isComplete(_ status: stat) -> Bool {
            Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec) < started
        }
    }

    /// Shared between the walker, the readers and whoever watches the progress.
    final class Shared: @unchecked Sendable {
        private let condition = NSCondition()
        private var batches: [[Job]] = []
        private var finished = false
        private var differences: [RestoreDrill.Difference] = []
        private var filesDone = 0
        private var bytesDone: Int64 = 0
        let capacity: Int

        init(capacity: Int) { self.capacity = capacity }

        /// Queues a batch, waiting while the queue is full; adds what the walker decided without a reader.
        func push(_ batch: [Job], decidedFiles: Int, decidedBytes: Int64) {
            condition.lock()
            filesDone += decidedFiles
            bytesDone += decidedBytes
            if !batch.isEmpty {
                while batches.count >= capacity { condition.wait() }
                batches.append(batch)
                condition.broadcast()
            }
            condition.unlock()
        }

        /// The next batch, or nil when the walk is over and the queue empty; `done` counts the previous batch.
        func pop(doneFiles: Int, doneBytes: Int64) -> [Job]? {
            condition.lock()
            defer { condition.unlock() }
            filesDone += doneFiles
            bytesDone += doneBytes
            while batches.isEmpty && !finished { condition.wait() }
            if batches.isEmpty { return nil }
            let batch = batches.removeFirst()
            condition.broadcast()
            return batch
        }

        func finish() {
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }

        func record(_ found: [RestoreDrill.Difference]) {
            guard !found.isEmpty else { return }
            condition.lock()
            differences += found
            condition.unlock()
        }

        /// Files and bytes whose comparison is complete.
        var progress: (files: Int, bytes: Int64) {
            condition.lock()
            defer { condition.unlock() }
            return (filesDone, bytesDone)
        }

        var found: [RestoreDrill.Difference] {
            condition.lock()
            defer { condition.unlock() }
            return differences
        }
    }

    /// A pair of regular files of equal size whose contents the readers compare.
    struct Job {
        let relative: [UInt8]
        /// NUL-terminated absolute paths.
        let source: [CChar]
        let restored: [CChar]
        let size: Int64
        let sourceMode: mode_t
        let restoredMode: mode_t
        /// Remove the restored file once it compared equal (see `TreeComparison.release`).
        let release: Bool
    }

    /// Runs the comparison of `names` (the top-level folders) on its own threads; `shared` shows the progress.
    func run(names: [String], shared: Shared) -> RestoreDrill.Comparison {
        let group = DispatchGroup()
        for _ in 0..<max(1, readers) {
            group.enter()
            Thread {
                Reader().run(shared)
                group.leave()
            }.start()
        }
        var walk = Walk(comparison: self, shared: shared)
        walk.run(names: names)
        shared.finish()
        group.wait()
        var result = RestoreDrill.Comparison()
        result.files = walk.files
        result.bytes = walk.bytes
        result.excluded = walk.excluded
        result.pendingDatabases = walk.pendingDatabases
        result.differences = shared.found
        return result
    }

    // MARK: - The walk

    enum Kind: Equatable {
        case file(size: Int64, mode: mode_t)
        case directory
        case link
        case other
    }

    static func kind(_ folder: Int32, _ name: UnsafePointer<CChar>) -> Kind? {
        var status = stat()
        guard fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return kind(status)
    }

    static func kind(_ status: stat) -> Kind {
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .file(size: Int64(status.st_size), mode: status.st_mode & 0o7777)
        case S_IFDIR: return .directory
        case S_IFLNK: return .link
        default: return .other
        }
    }

    /// The walker's state: counters, the pattern matcher, the batch being filled.
    struct Walk {
        let comparison: TreeComparison
        let shared: Shared
        let matcher: PatternWalker
        var files = 0
        var bytes: Int64 = 0
        var excluded = 0
        /// Databases whose restored copy is checked later (during an extraction restore-dumps.sh has not run yet).
        var pendingDatabases: [String] = []
        private var batch: [Job] = []
        private var batchBytes: Int64 = 0
        private var decidedFiles = 0
        private var decidedBytes: Int64 = 0
        private var differences: [RestoreDrill.Difference] = []
        private let sourceRoot: [UInt8]
        private let restoredRoot: [UInt8]
        /// The archive root without its leading slash, for the whole-path patterns.
        private let archivePrefix: String

        init(comparison: TreeComparison, shared: Shared) {
            self.comparison = comparison
            self.shared = shared
            matcher = PatternWalker(comparison.patterns)
            sourceRoot = Array(comparison.sourceRoot.utf8)
            restoredRoot = Array(comparison.restoredRoot.utf8)
            archivePrefix = String(comparison.archiveRoot.drop { $0 == "/" })
        }

        /// One open folder on each side; `node` is the patterns' state there (nil: nothing below can match).
        struct Folder {
            let source: Int32
            let restored: Int32
            let relative: [UInt8]
            let node: PatternWalker.Node?
            /// A pattern matched the folder itself (only the archive root can be in this state).
            let excludesAll: Bool
        }

        mutating func run(names: [String]) {
            let source = open(comparison.sourceRoot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            var restored = open(comparison.restoredRoot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            defer { if source >= 0 { close(source) } }
            // The patterns see the archive's paths: advance them through the archive root's components.
            var node: PatternWalker.Node? = matcher.root
            var excludesAll = false
            for component in archivePrefix.utf8.split(separator: UInt8(ascii: "/")) {
                guard let current = node else { break }
                let step = matcher.descend(current, name: Array(component), needsChild: true)
                if step.excludesBelow { excludesAll = true }
                node = step.child
            }
            // Borg creates the restored root (as the parent of the first folder it extracts) once it has started.
            if restored < 0, comparison.extraction != nil {
                waitFor { () -> Bool in
                    restored = open(comparison.restoredRoot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                    return restored >= 0
                }
                if restored < 0 { restored = open(comparison.restoredRoot, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            }
            let root = Folder(source: source, restored: restored, relative: [], node: node, excludesAll: excludesAll)
            defer { if root.restored >= 0 { close(root.restored) } }
            for name in names { visit(root, name: Array(name.utf8)) }
            flush(force: true)
        }

        /// Waits, while borg extracts, until `ready()` holds; returns at once without an extraction.
        private func waitFor(_ ready: () -> Bool) {
            guard let extraction = comparison.extraction else { return }
            var pause: UInt32 = 100
            while extraction.isRunning {
                if ready() { return }
                usleep(pause)
                pause = min(pause * 2, 20_000)
            }
        }

        /// Whether borg is done with the restored folder `restored` (an open descriptor) and all it holds.
        private func isComplete(_ restored: Int32) -> Bool {
            guard let extraction = comparison.extraction else { return true }
            var status = stat()
            return fstat(restored, &status) == 0 && extraction.isComplete(status)
        }

        /// The restored entry `name` of `folder`, once borg is done with it (for a folder: once it exists, as its
        /// entries are awaited one by one); nil when it is not in the restore.
        private mutating func restoredStatus(_ folder: Folder, _ name: [CChar], folder wanted: Bool) -> stat? {
            var status = stat()
            func found() -> Bool { fstatat(folder.restored, name, &status, AT_SYMLINK_NOFOLLOW) == 0 }
            func ready(_ extraction: Extraction) -> Bool {
                found() && (extraction.isComplete(status) || (wanted && status.st_mode & S_IFMT == S_IFDIR))
            }
            guard let extraction = comparison.extraction, extraction.isRunning, !ready(extraction) else {
                return found() ? status : nil
            }
            // The readers get what is queued while the walk waits for borg.
            flush(force: true)
            let restored = folder.restored
            waitFor { ready(extraction) || isComplete(restored) }
            return found() ? status : nil
        }

        private mutating func differ(_ relative: [UInt8], _ problem: String) {
            differences.append(
                RestoreDrill.Difference(path: String(decoding: relative, as: UTF8.self), problem: problem))
        }

        /// Hands the batch to the readers when it is large enough (or `force`), with the differences found so far.
        private mutating func flush(force: Bool = false) {
            guard force || batch.count >= 64 || batchBytes >= 8 << 20 || decidedFiles >= 4096 else { return }
            shared.record(differences)
            differences.removeAll(keepingCapacity: true)
            shared.push(batch, decidedFiles: decidedFiles, decidedBytes: decidedBytes)
            batch = []
            batchBytes = 0
            decidedFiles = 0
            decidedBytes = 0
        }

        private func path(_ root: [UInt8], _ relative: [UInt8]) -> [CChar] {
            var bytes = root
            bytes.reserveCapacity(root.count + relative.count + 2)
            bytes.append(UInt8(ascii: "/"))
            bytes += relative
            bytes.append(0)
            return bytes.map { CChar(bitPattern: $0) }
        }

        /// Compares one entry of `folder` on both sides, recursively.
        mutating func visit(_ folder: Folder, name: [UInt8]) {
            let relative = folder.relative.isEmpty ? name : folder.relative + [UInt8(ascii: "/")] + name
            var excludedHere = folder.excludesAll
            var node: PatternWalker.Node?
            if !excludedHere, let current = folder.node {
                let step = matcher.descend(current, name: name, needsChild: true)
                excludedHere = step.excludesBelow || step.matchesExactly
                node = step.child
            }
            if !excludedHere && comparison.patterns.hasWholePathPatterns {
                excludedHere = comparison.patterns.excludesWholePath(
                    archivePrefix + "/" + String(decoding: relative, as: UTF8.self))
            }
            if excludedHere {
                excluded += 1
                return
            }
            let cName = (name + [0]).map { CChar(bitPattern: $0) }
            if comparison.databases.contains(relative) {
                // Restored from its consistent copy (checked by restore-dumps.sh), not from the live file; during
                // an extraction restore-dumps.sh has not run yet, so whoever runs it checks afterwards.
                if comparison.extraction != nil {
                    pendingDatabases.append(String(decoding: relative, as: UTF8.self))
                } else if TreeComparison.kind(folder.restored, cName) == nil {
                    differ(relative, "database missing from the restore")
                }
                return
            }
            var sourceStatus = stat()
            let sourceKind =
                fstatat(folder.source, cName, &sourceStatus, AT_SYMLINK_NOFOLLOW) == 0
                ? TreeComparison.kind(sourceStatus) : nil
            // Only a file borg restored without links to it may go as soon as it compared equal.
            let release = comparison.release && sourceStatus.st_nlink == 1
            if sourceKind == .directory && Self.isCacheDirectory(folder.source, name) {
                excluded += 1
                return
            }
            let restoredKind = restoredStatus(folder, cName, folder: sourceKind == .directory).map(TreeComparison.kind)
            switch (sourceKind, restoredKind) {
            case (nil, nil): return
            case (nil, _?): differ(relative, "in the restore but not in the sources")
            case (_?, nil): differ(relative, "missing from the restore")
            case (.directory?, .directory?):
                descend(folder, name: cName, relative: relative, node: node)
            case (.file(let size, let mode)?, .file(let otherSize, let otherMode)?):
                files += 1
                bytes += size
                if size != otherSize {
                    differ(relative, "contents differ")
                    decidedFiles += 1
                    decidedBytes += size
                } else if size == 0 {
                    if mode != otherMode {
                        differ(relative, Reader.permissions(mode, otherMode))
                    } else if release {
                        unlinkat(folder.restored, cName, 0)
                    }
                    decidedFiles += 1
                } else {
                    batch.append(
                        Job(
                            relative: relative, source: path(sourceRoot, relative),
                            restored: path(restoredRoot, relative), size: size, sourceMode: mode,
                            restoredMode: otherMode, release: release))
                    batchBytes += size
                }
                flush()
            case (.link?, .link?):
                files += 1
                if Self.linkTarget(folder.source, cName) != Self.linkTarget(folder.restored, cName) {
                    differ(relative, "symbolic link target differs")
                } else if release {
                    unlinkat(folder.restored, cName, 0)
                }
            case (.other?, .other?): return
            default: differ(relative, "file type differs")
            }
        }

        /// Lists a folder present on both sides and visits the union of the names.
        private mutating func descend(
            _ folder: Folder, name: [CChar], relative: [UInt8], node: PatternWalker.Node?
        ) {
            let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
            let sourceFD = openat(folder.source, name, flags)
            let restoredFD = sourceFD < 0 ? -1 : openat(folder.restored, name, flags)
            guard sourceFD >= 0, restoredFD >= 0 else {
                differ(relative, "cannot be read: \(String(cString: strerror(errno)))")
                if sourceFD >= 0 { close(sourceFD) }
                return
            }
            guard let sourceDir = fdopendir(sourceFD) else {
                close(sourceFD)
                close(restoredFD)
                return
            }
            defer { closedir(sourceDir) }
            let child = Folder(
                source: sourceFD, restored: restoredFD, relative: relative, node: node, excludesAll: false)
            var sourceEntries = Self.entries(sourceDir)
            // In the order borg extracts them, so the walk follows borg closely.
            if comparison.extraction != nil { sourceEntries.sort { $0.inode < $1.inode } }
            for entry in sourceEntries { visit(child, name: entry.name) }
            // The names only the restore holds, once borg is done with the folder.
            if !isComplete(restoredFD) {
                flush(force: true)
                waitFor { isComplete(restoredFD) }
            }
            guard let restoredDir = fdopendir(restoredFD) else {
                close(restoredFD)
                return
            }
            defer { closedir(restoredDir) }
            let sourceNames = Set(sourceEntries.lazy.map(\.name))
            sourceEntries = []
            for entry in Self.entries(restoredDir) where !sourceNames.contains(entry.name) {
                visit(child, name: entry.name)
            }
        }

        static func names(_ directory: OpaquePointer) -> [[UInt8]] {
            entries(directory).map(\.name)
        }

        /// The entries of `directory` but `.` and `..`, with their inode numbers, in the order it lists them.
        static func entries(_ directory: OpaquePointer) -> [(name: [UInt8], inode: UInt64)] {
            var result: [(name: [UInt8], inode: UInt64)] = []
            while let entry = readdir(directory) {
                let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                    pointer.withMemoryRebound(to: UInt8.self, capacity: 256) { bytes in
                        Array(
                            UnsafeBufferPointer(
                                start: bytes, count: strlen(UnsafeRawPointer(bytes).assumingMemoryBound(to: CChar.self))
                            ))
                    }
                }
                if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
                result.append((name, UInt64(entry.pointee.d_ino)))
            }
            return result
        }

        /// A folder holding a valid CACHEDIR.TAG is skipped (`exclude_caches: true`).
        static func isCacheDirectory(_ parent: Int32, _ name: [UInt8]) -> Bool {
            let tag = (name + Array("/CACHEDIR.TAG".utf8) + [0]).map { CChar(bitPattern: $0) }
            let file = openat(parent, tag, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard file >= 0 else { return false }
            defer { close(file) }
            let signature = Array("Signature: 8a477f597d28d172789f06886806bc55".utf8)
            var head = [UInt8](repeating: 0, count: signature.count)
            var filled = 0
            while filled < head.count {
                let count = head.withUnsafeMutableBytes { buffer in
                    read(file, buffer.baseAddress.map { $0 + filled }, buffer.count - filled)
                }
                if count <= 0 { break }
                filled += count
            }
            return filled == head.count && head == signature
        }

        static func linkTarget(_ folder: Int32, _ name: [CChar]) -> [UInt8]? {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = buffer.withUnsafeMutableBufferPointer { pointer in
                pointer.baseAddress.map { readlinkat(folder, name, $0, pointer.count) } ?? -1
            }
            return count < 0 ? nil : buffer[..<count].map { UInt8(bitPattern: $0) }
        }
    }

    // MARK: - The readers

    /// Compares the contents of the queued pairs, one chunk of each at a time.
    struct Reader {
        static let chunk = 1 << 20

        func run(_ shared: Shared) {
            let left = UnsafeMutableRawPointer.allocate(byteCount: Self.chunk, alignment: 4096)
            let right = UnsafeMutableRawPointer.allocate(byteCount: Self.chunk, alignment: 4096)
            defer {
                left.deallocate()
                right.deallocate()
            }
            var doneFiles = 0
            var doneBytes: Int64 = 0
            while let batch = shared.pop(doneFiles: doneFiles, doneBytes: doneBytes) {
                doneFiles = 0
                doneBytes = 0
                var found: [RestoreDrill.Difference] = []
                for job in batch {
                    if let problem = Self.compare(job, left, right) {
                        found.append(
                            RestoreDrill.Difference(
                                path: String(decoding: job.relative, as: UTF8.self), problem: problem))
                    } else if job.release {
                        unlink(job.restored)
                    }
                    doneFiles += 1
                    doneBytes += job.size
                }
                shared.record(found)
            }
        }

        static func permissions(_ mode: mode_t, _ other: mode_t) -> String {
            "permissions differ (\(String(mode, radix: 8)) vs \(String(other, radix: 8)))"
        }

        /// The problem with the pair, or nil when they are the same.
        static func compare(_ job: Job, _ left: UnsafeMutableRawPointer, _ right: UnsafeMutableRawPointer)
            -> String?
        {
            let source = open(job.source, O_RDONLY | O_CLOEXEC)
            guard source >= 0 else { return "cannot be read: \(String(cString: strerror(errno)))" }
            defer { close(source) }
            let restored = open(job.restored, O_RDONLY | O_CLOEXEC)
            guard restored >= 0 else { return "cannot be read from the restore: \(String(cString: strerror(errno)))" }
            defer { close(restored) }
            while true {
                let first = fill(source, left)
                let second = fill(restored, right)
                if first < 0 || second < 0 { return "cannot be read: \(String(cString: strerror(errno)))" }
                if first != second || memcmp(left, right, first) != 0 { return "contents differ" }
                // A short read of a regular file is its end: both ended at the same length.
                if first < chunk { break }
            }
            return job.sourceMode == job.restoredMode ? nil : permissions(job.sourceMode, job.restoredMode)
        }

        /// Reads up to one chunk; fewer bytes only at the end of the file.
        static func fill(_ file: Int32, _ buffer: UnsafeMutableRawPointer) -> Int {
            var filled = 0
            while filled < chunk {
                let count = read(file, buffer + filled, chunk - filled)
                if count < 0 {
                    if errno == EINTR { continue }
                    return -1
                }
                if count == 0 { break }
                filled += count
                // Regular files return less than asked only at their end: no second read to confirm it.
                if filled < chunk { break }
            }
            return filled
        }
    }
}
