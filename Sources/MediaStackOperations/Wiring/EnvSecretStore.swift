import Foundation
import MediaStack
import MediaStackRendering

/// Stores secrets the wiring obtains (Jellyfin's API key and admin password, Plex's token) in the user's `.env`,
/// replacing only their own lines, written atomically with mode 0600. Values are never printed.
public final class EnvSecretStore: @unchecked Sendable {
    public let url: URL
    private let lock = NSLock()
    private var cache: [String: String]

    /// Reads `url`; values already set there win over nothing.
    public init(url: URL) {
        self.url = url
        let text = FileManager.default.contents(atPath: url.path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let (file, _) = EnvFile.parseCollectingIssues(text, path: url.lastPathComponent)
        self.cache = Dictionary(file.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The value of `key`, or nil when unset or empty.
    public subscript(key: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        guard let value = cache[key], !value.isEmpty else { return nil }
        return value
    }

    /// Sets `key` in the file: its line is replaced, or a line is appended. Other lines stay byte for byte.
    public func set(_ key: String, _ value: String) throws {
        lock.lock()
        defer { lock.unlock() }
        let text = FileManager.default.contents(atPath: url.path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let updated = Self.setting(key, to: value, in: text)
        try RenderWriter.atomicWrite(updated, to: url, mode: 0o600)
        cache[key] = value
    }

    /// `text` with `key` set to `value`.
    static func setting(_ key: String, to value: String, in text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let line = "\(key)=\(EnvExampleRenderer.quoted(value))"
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
