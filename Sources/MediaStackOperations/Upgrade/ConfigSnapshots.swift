import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Copies of services' config folders taken right before an upgrade recreates them, put back on a rollback.
///
/// A copy lives in `<CONFIG_ROOT>/.pre-upgrade/<service>`, on the same file system as the folder (so putting it
/// back is a rename, and the free-space check is made where the copy goes) and outside the backup's sources
/// (`<CONFIG_ROOT>/<service>`). `cp -a` keeps owners, modes, times, links and extended attributes, so the folder
/// put back is the folder that was there, byte for byte.
public struct ConfigSnapshots: Sendable {
    public let configRoot: String
    public let runner: any ProcessRunning
    /// Bytes free for this user on the file system holding a path; injected so a full disk can be tested.
    public let freeBytes: @Sendable (String) throws -> UInt64

    public init(
        configRoot: String, runner: any ProcessRunning,
        freeBytes: @escaping @Sendable (String) throws -> UInt64 = ConfigSnapshots.systemFreeBytes
    ) {
        self.configRoot = configRoot
        self.runner = runner
        self.freeBytes = freeBytes
    }

    /// Where the copy of `folder` goes.
    public func snapshotPath(of folder: String) -> String {
        "\(configRoot)/.pre-upgrade/\((folder as NSString).lastPathComponent)"
    }

    /// Throws `diskFull` unless the file system of the config root can hold a copy of the largest folder, with a
    /// margin (a tenth, and 16 MiB) for the file system's own blocks. One copy exists at a time: each is removed
    /// (or put back) before the next service's is taken.
    public func requireSpace(for folders: [String]) throws(UpgradeError) {
        let size = folders.map(Self.size(of:)).max() ?? 0
        guard size > 0 else { return }
        let needed = size + size / 10 + (16 << 20)
        let free: UInt64
        do {
            free = try freeBytes(configRoot)
        } catch {
            throw .snapshotFailed(path: configRoot, reason: "cannot read its free space (\(error))")
        }
        if free < needed { throw .diskFull(path: configRoot, neededBytes: needed, freeBytes: free) }
    }

    /// Copies `folder` to its snapshot path and returns that path; nil when `folder` does not exist (nothing to
    /// put back then, and nothing to remove on a rollback).
    public func take(_ folder: String) async throws(UpgradeError) -> String? {
        guard FileManager.default.fileExists(atPath: folder) else { return nil }
        let copy = snapshotPath(of: folder)
        if FileManager.default.fileExists(atPath: copy) {
            throw .snapshotFailed(
                path: folder,
                reason: "\(copy) is left from an interrupted upgrade; if the service works, remove it, else stop the"
                    + " service and move it back to \(folder)")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: (copy as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let output = try await runner.run("cp", ["-a", "--", folder, copy], timeout: 3600)
            guard output.succeeded else {
                try? FileManager.default.removeItem(atPath: copy)
                throw UpgradeError.snapshotFailed(path: folder, reason: Self.lastLine(output.standardError))
            }
        } catch let error as UpgradeError {
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: copy)
            throw .snapshotFailed(path: folder, reason: "\(error)")
        }
        return copy
    }

    /// Puts the copy back in place of `folder` (the folder the failed image wrote is removed).
    public func restore(_ folder: String, from copy: String) throws {
        let failed = "\(copy).failed"
        try? FileManager.default.removeItem(atPath: failed)
        if FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.moveItem(atPath: folder, toPath: failed)
        }
        do {
            try FileManager.default.moveItem(atPath: copy, toPath: folder)
        } catch {
            // Leave things as they were rather than without a folder.
            try? FileManager.default.moveItem(atPath: failed, toPath: folder)
            throw error
        }
        try? FileManager.default.removeItem(atPath: failed)
        removeParentIfEmpty(of: copy)
    }

    /// Removes a copy that is no longer needed.
    public func discard(_ copy: String) {
        try? FileManager.default.removeItem(atPath: copy)
        removeParentIfEmpty(of: copy)
    }

    private func removeParentIfEmpty(of copy: String) {
        let parent = (copy as NSString).deletingLastPathComponent
        if (try? FileManager.default.contentsOfDirectory(atPath: parent))?.isEmpty == true {
            try? FileManager.default.removeItem(atPath: parent)
        }
    }

    /// The bytes the files under `folder` take (their sizes, without following links).
    public static func size(of folder: String) -> UInt64 {
        var total: UInt64 = 0
        var status = stat()
        guard lstat(folder, &status) == 0 else { return 0 }
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return UInt64(status.st_size) }
        while let relative = walker.nextObject() as? String {
            if lstat("\(folder)/\(relative)", &status) == 0 { total += UInt64(max(0, status.st_size)) }
        }
        return total
    }

    /// `statvfs`: the blocks available to an unprivileged user times the fragment size.
    @Sendable public static func systemFreeBytes(_ path: String) throws -> UInt64 {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else {
            throw UpgradeError.snapshotFailed(path: path, reason: String(cString: strerror(errno)))
        }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }

    static func lastLine(_ text: String) -> String {
        text.split(separator: "\n").last.map(String.init) ?? "no error output"
    }
}
