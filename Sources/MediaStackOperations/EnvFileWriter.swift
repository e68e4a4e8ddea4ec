import Foundation
import MediaStack

#if canImport(Glibc)
    import Glibc
#endif

/// The one way a user's settings file (`.env`) is written, by `init` and by the wiring alike: all or nothing (a
/// temporary file beside it, renamed into place), and private from the start (the temporary file is created with
/// mode 0600, so no other user can read a secret even while it is being written).
public struct EnvFileWriter: Sendable {
    /// The settings file's mode: readable by its owner only.
    public static let mode = 0o600

    public let url: URL

    public init(url: URL) { self.url = url }

    /// Replaces the file with `text`.
    public func write(_ text: String) throws {
        try RenderWriter.atomicWrite(text, to: url, mode: Self.mode)
    }

    /// Sets `key` to `value` in the file: its line is replaced, or a line is appended. Other lines stay byte for
    /// byte.
    public func set(_ key: String, _ value: String) throws {
        let text = FileManager.default.contents(atPath: url.path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        try write(Self.setting(key, to: value, in: text))
    }

    /// Keeps the current file, private, as `<name>.before-init-<time>` beside it, before it is replaced: it may
    /// hold the only copy of a secret. Returns the copy, or nil when there is no file.
    public func keepCopy(at date: Date = Date()) throws -> URL? {
        guard let old = FileManager.default.contents(atPath: url.path) else { return nil }
        let stamp = ISO8601DateFormatter.string(
            from: date, timeZone: TimeZone(identifier: "UTC") ?? .current,
            formatOptions: [.withYear, .withMonth, .withDay, .withTime, .withTimeZone])
        let copy = url.deletingLastPathComponent().appendingPathComponent(
            "\(url.lastPathComponent).before-init-\(stamp)")
        try EnvFileWriter(url: copy).write(String(decoding: old, as: UTF8.self))
        return copy
    }

    /// `text` with `key` set to `value`, written so that Compose reads back exactly `value`.
    public static func setting(_ key: String, to value: String, in text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let line = "\(key)=\(EnvFile.literal(value))"
        if let index = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("\(key)=") }) {
            lines[index] = line
        } else {
            if lines.last == "" { lines.removeLast() }
            lines.append(line)
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }
}
