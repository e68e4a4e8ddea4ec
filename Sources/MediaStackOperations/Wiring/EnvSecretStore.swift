import Foundation
import MediaStack

/// Stores secrets the wiring obtains (Jellyfin's API key and admin password, Plex's token) in the user's `.env`,
/// replacing only their own lines, through ``EnvFileWriter``. Values are never printed.
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
        try EnvFileWriter(url: url).set(key, value)
        cache[key] = value
    }
}
