import Foundation
import MediaStackRendering

/// Writes rendered files into a checkout, atomically and without clobbering hand edits.
///
/// A manifest (`.mediaserver-render.json`) records a hash of every file as last rendered. A file whose contents no
/// longer match its recorded hash was edited by hand: it is reported and left alone unless `force` is set. Files
/// the manifest lists that the render no longer produces (a service was disabled) are removed when untouched.
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
            if current == file.contents { return Change(path: file.path, action: .unchanged) }
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

    /// Applies a plan: every write goes to a temporary file beside its target, then is renamed over it.
    public func apply(_ files: [RenderedFile], _ changes: [Change]) throws {
        let byPath = Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0) })
        var manifest = readManifest()
        for change in changes {
            let url = root.appendingPathComponent(change.path)
            switch change.action {
            case .create, .update:
                guard let file = byPath[change.path] else { continue }
                try Self.atomicWrite(file.contents, to: url, executable: file.executable)
                manifest[file.path] = Self.hash(file.contents)
            case .unchanged:
                if let file = byPath[change.path] {
                    manifest[file.path] = Self.hash(file.contents)
                    try Self.setExecutable(file.executable, url)
                }
            case .remove:
                try FileManager.default.removeItem(at: url)
                manifest[change.path] = nil
            case .keepHandEdited, .keepForeign:
                break
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(manifest)
        try Self.atomicWrite(
            String(decoding: data, as: UTF8.self) + "\n", to: root.appendingPathComponent(Self.manifestPath))
    }

    func readManifest() -> [String: String] {
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(Self.manifestPath).path),
            let manifest = try? JSONDecoder().decode([String: String].self, from: data)
        else { return [:] }
        return manifest
    }

    /// Writes `contents` to a temporary file in the target's folder, then renames it into place.
    public static func atomicWrite(_ contents: String, to url: URL, executable: Bool = false, mode: Int? = nil) throws {
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try Data(contents.utf8).write(to: temporary)
            let permissions = mode ?? (executable ? 0o755 : 0o644)
            try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: temporary.path)
            if rename(temporary.path, url.path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    static func setExecutable(_ executable: Bool, _ url: URL) throws {
        guard executable else { return }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
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
