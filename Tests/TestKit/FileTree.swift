import Foundation
import MediaStackOperations

/// A folder tree as the all-or-nothing tests see it: what they snapshot before and after, and how they make a file or
/// a folder unchangeable.
public enum FileTree {
    /// `chattr` could not change a file's immutable flag.
    public struct ChattrError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Relative path → mode, inode, modification time and contents hash of every file under `root`, and mode and
    /// inode of every folder: equal snapshots mean no file or folder was written, replaced, added or removed. A
    /// folder's modification time is left out: creating and removing a temporary file inside it changes that time
    /// but nothing in the tree.
    public static func snapshot(_ root: URL) -> [String: String] {
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        while let path = enumerator?.nextObject() as? String {
            let url = root.appendingPathComponent(path)
            let attributes = (try? FileManager.default.attributesOfItem(atPath: url.path)) ?? [:]
            guard attributes[.type] as? FileAttributeType == .typeRegular else {
                result[path] = "folder \(attributes[.posixPermissions] ?? "") \(attributes[.systemFileNumber] ?? "")"
                continue
            }
            let data = FileManager.default.contents(atPath: url.path) ?? Data()
            result[path] =
                "\(attributes[.posixPermissions] ?? "") \(attributes[.systemFileNumber] ?? "") "
                + "\(attributes[.modificationDate] ?? "") \(RenderWriter.hash(String(decoding: data, as: UTF8.self)))"
        }
        return result
    }

    /// Relative path → contents hash of every file under `root`, for comparing two trees.
    public static func contents(_ root: URL) -> [String: String] {
        snapshot(root).compactMapValues { $0.hasPrefix("folder ") ? nil : String($0.split(separator: " ").last ?? "") }
    }

    /// Makes `url` unchangeable (`+i`) or changeable again (`-i`). As root (as here) that is `chattr`'s immutable
    /// flag, since root ignores permission bits; as another user, a folder without write permission.
    public static func chattr(_ flag: String, _ url: URL) throws {
        if getuid() != 0 {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
            let folder = isFolder.boolValue ? url : url.deletingLastPathComponent()
            try FileManager.default.setAttributes(
                [.posixPermissions: flag == "+i" ? 0o555 : 0o755], ofItemAtPath: folder.path)
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        process.arguments = [flag, url.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ChattrError(description: "chattr \(flag) \(url.path) failed")
        }
    }
}
