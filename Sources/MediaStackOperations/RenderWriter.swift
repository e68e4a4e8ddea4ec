import Foundation
import MediaStackRendering

#if canImport(Glibc)
    import Glibc
#endif

/// Writes rendered files into a checkout, all or nothing, and without clobbering hand edits.
///
/// A manifest (`.mediaserver-render.json`) records a hash of every file as last rendered. A file whose contents no
/// longer match its recorded hash was edited by hand: it is reported and left alone unless `force` is set. Files
/// the manifest lists that the render no longer produces (a service was disabled) are removed when untouched.
///
/// ``apply(_:_:)`` is one transaction: every new file (the manifest too) is first written to a temporary file beside
/// its target and every file to be replaced or removed gets a hard link beside it; only when all of that worked are
/// the temporaries renamed over their targets. If a rename still fails, the links put the earlier files back.
/// A file that is already right is not touched, so rendering an up-to-date read-only checkout succeeds.
public struct RenderWriter: Sendable {
    public static let manifestPath = ".mediaserver-render.json"

    /// What rendering does, or would do, to one path.
    public enum Action: String, Sendable, Codable, Hashable {
        case create, update, unchanged, remove
        /// Edited by hand since the last render; kept.
        case keepHandEdited = "hand-edited"
        /// Exists, but was not written by mediaserver (no manifest entry) and differs; kept.
        case keepForeign = "not-rendered-by-us"
    }

    public struct Change: Sendable, Codable, Hashable {
        public let path: String
        public let action: Action
    }

    /// A file of the render that could not be written; nothing was changed.
    public struct WriteError: Error, CustomStringConvertible, Sendable {
        /// The path (relative to the checkout) that failed.
        public let path: String
        /// What was being done, e.g. "write a temporary file beside".
        public let operation: String
        /// The system's reason in words.
        public let reason: String
        /// Whether earlier files had already been replaced and could not all be put back.
        public let partial: Bool

        public var description: String {
            let outcome =
                partial
                ? "some files were already replaced and could not be put back; run `mediaserver render` again"
                : "nothing was changed"
            return "could not \(operation) \(path): \(reason); \(outcome)"
        }

        /// A hint for the usual causes.
        public var fix: String {
            switch reason {
            case _ where reason.contains("Read-only file system"):
                "the checkout is on a read-only file system: render a writable copy"
            case _ where reason.contains("Operation not permitted"):
                "the file or its folder may be immutable (`lsattr`; `chattr -i` to undo) or owned by another user"
            case _ where reason.contains("Permission denied"):
                "make the folder writable for this user (`ls -ld`), or run as its owner"
            case _ where reason.contains("No space left"):
                "free some disk space and render again"
            default: "fix the cause and render again"
            }
        }
    }

    public let root: URL

    public init(root: URL) { self.root = root }

    /// Compares `files` with the checkout.
    public func plan(_ files: [RenderedFile], force: Bool = false) -> [Change] {
        let manifest = readManifest()
        var changes: [Change] = files.map { file in
            let url = root.appendingPathComponent(file.path)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                return Change(path: file.path, action: .create)
            }
            let current = String(decoding: data, as: UTF8.self)
            if current == file.contents {
                // Same text but a lost executable bit is still a change (the file is rewritten with its mode).
                return Change(path: file.path, action: Self.hasMode(url, of: file) ? .unchanged : .update)
            }
            if force { return Change(path: file.path, action: .update) }
            guard let recorded = manifest[file.path] else { return Change(path: file.path, action: .keepForeign) }
            return Change(path: file.path, action: recorded == Self.hash(current) ? .update : .keepHandEdited)
        }
        let rendered = Set(files.map(\.path))
        for (path, recorded) in manifest.sorted(by: { $0.key < $1.key }) where !rendered.contains(path) {
            let url = root.appendingPathComponent(path)
            guard let data = FileManager.default.contents(atPath: url.path) else { continue }
            let untouched = recorded == Self.hash(String(decoding: data, as: UTF8.self))
            changes.append(Change(path: path, action: untouched || force ? .remove : .keepHandEdited))
        }
        return changes
    }

    /// Applies a plan as one transaction (see the type's description); throws ``WriteError`` naming the file.
    public func apply(_ files: [RenderedFile], _ changes: [Change]) throws {
        let byPath = Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0) })
        var manifest = readManifest()
        var transaction = Transaction(root: root)
        defer { transaction.cleanUp() }
        for change in changes {
            switch change.action {
            case .create, .update:
                guard let file = byPath[change.path] else { continue }
                try transaction.stageWrite(file.contents, to: change.path, mode: file.executable ? 0o755 : 0o644)
                manifest[file.path] = Self.hash(file.contents)
            case .unchanged:
                if let file = byPath[change.path] { manifest[file.path] = Self.hash(file.contents) }
            case .remove:
                try transaction.stageRemoval(of: change.path)
                manifest[change.path] = nil
            case .keepHandEdited, .keepForeign:
                break
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let manifestText = String(decoding: (try? encoder.encode(manifest)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
        let manifestURL = root.appendingPathComponent(Self.manifestPath)
        if FileManager.default.contents(atPath: manifestURL.path) != Data(manifestText.utf8) {
            try transaction.stageWrite(manifestText, to: Self.manifestPath, mode: 0o644)
        }
        try transaction.commit()
    }

    func readManifest() -> [String: String] {
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(Self.manifestPath).path),
            let manifest = try? JSONDecoder().decode([String: String].self, from: data)
        else { return [:] }
        return manifest
    }

    /// Writes `contents` to a temporary file in the target's folder, then renames it into place.
    public static func atomicWrite(_ contents: String, to url: URL, executable: Bool = false, mode: Int? = nil) throws {
        var transaction = Transaction(root: url.deletingLastPathComponent())
        defer { transaction.cleanUp() }
        try transaction.stageWrite(
            contents, to: url.lastPathComponent, mode: mode_t(mode ?? (executable ? 0o755 : 0o644)))
        try transaction.commit()
    }

    static func hasMode(_ url: URL, of file: RenderedFile) -> Bool {
        var status = stat()
        guard stat(url.path, &status) == 0 else { return false }
        return (status.st_mode & 0o111 != 0) == file.executable
    }

    /// 64-bit FNV-1a of the UTF-8 bytes, as hex: enough to tell an edited file from the one we wrote.
    public static func hash(_ text: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
        let hex = String(value, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Staged writes and removals in one folder tree, committed together or not at all.
struct Transaction {
    let root: URL
    /// Temporary file → target, in staging order.
    private var writes: [(temporary: String, target: String, relative: String)] = []
    /// Target → hard link keeping its earlier contents.
    private var saved: [String: String] = [:]
    private var removals: [(target: String, relative: String)] = []
    /// Folders this transaction created, outermost first.
    private var createdFolders: [String] = []
    private var committed = false

    init(root: URL) { self.root = root }

    static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    private func fail(_ operation: String, _ relative: String, _ code: Int32, partial: Bool = false)
        -> RenderWriter.WriteError
    {
        RenderWriter.WriteError(path: relative, operation: operation, reason: Self.reason(code), partial: partial)
    }

    private mutating func makeFolders(for relative: String) throws {
        var missing: [String] = []
        var folder = root.appendingPathComponent(relative).deletingLastPathComponent().path
        var status = stat()
        while stat(folder, &status) != 0 {
            missing.insert(folder, at: 0)
            folder = (folder as NSString).deletingLastPathComponent
        }
        for path in missing {
            guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
                throw fail("create the folder of", relative, errno)
            }
            createdFolders.append(path)
        }
    }

    /// Keeps the current file at `target` (if any) as a hard link, so a failed commit can put it back. A link
    /// also fails where a rename over the file would (an immutable file, a read-only folder).
    private mutating func save(_ target: String, _ relative: String) throws {
        guard saved[target] == nil, FileManager.default.fileExists(atPath: target) else { return }
        let backup = Self.sibling(of: target, suffix: "old")
        guard link(target, backup) == 0 else { throw fail("replace", relative, errno) }
        saved[target] = backup
    }

    static func sibling(of target: String, suffix: String) -> String {
        let url = URL(fileURLWithPath: target)
        return url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).\(UUID().uuidString).\(suffix)"
        ).path
    }

    mutating func stageWrite(_ contents: String, to relative: String, mode: mode_t) throws {
        try makeFolders(for: relative)
        let target = root.appendingPathComponent(relative).path
        let temporary = Self.sibling(of: target, suffix: "tmp")
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw fail("write a temporary file beside", relative, errno) }
        writes.append((temporary, target, relative))
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                let code = errno
                close(descriptor)
                throw fail("write", relative, code)
            }
            written += result
        }
        // The umask must not narrow the mode (a script must stay executable), and the data must be on disk before
        // the rename makes it the file.
        let ok = fchmod(descriptor, mode) == 0 && fsync(descriptor) == 0
        let code = errno
        close(descriptor)
        guard ok else { throw fail("write", relative, code) }
        try save(target, relative)
    }

    mutating func stageRemoval(of relative: String) throws {
        let target = root.appendingPathComponent(relative).path
        try save(target, relative)
        removals.append((target, relative))
    }

    /// Renames every temporary into place and removes what is to be removed; on a failure, puts back what was
    /// already changed.
    mutating func commit() throws {
        var done: [String] = []
        func rollBack() -> Bool {
            var restored = true
            for target in done.reversed() {
                if let backup = saved[target] {
                    restored = rename(backup, target) == 0 && restored
                    saved[target] = nil
                } else {
                    restored = unlink(target) == 0 && restored
                }
            }
            return restored
        }
        for write in writes {
            guard rename(write.temporary, write.target) == 0 else {
                let code = errno
                throw fail("replace", write.relative, code, partial: !rollBack())
            }
            done.append(write.target)
        }
        for removal in removals {
            guard unlink(removal.target) == 0 || errno == ENOENT else {
                let code = errno
                throw fail("remove", removal.relative, code, partial: !rollBack())
            }
            done.append(removal.target)
        }
        committed = true
    }

    /// Removes the temporaries and links, and on failure the folders this transaction created.
    mutating func cleanUp() {
        for write in writes { unlink(write.temporary) }
        for backup in saved.values { unlink(backup) }
        if !committed { for folder in createdFolders.reversed() { rmdir(folder) } }
        writes = []
        saved = [:]
    }
}
