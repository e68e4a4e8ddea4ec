import Foundation
import MediaStack

/// Finds and reads the settings file of a checkout: `.env` when it exists, else `.env.example`.
public struct SettingsLoader: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// The path used when none is given: `.env`, or `.env.example` before `mediaserver init` ran.
    public func defaultPath() -> String {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(".env").path) ? ".env" : ".env.example"
    }

    /// Reads and validates the settings; `path` is relative to the root unless absolute.
    public func load(_ path: String? = nil) throws(SettingsError) -> Settings {
        let relative = path ?? defaultPath()
        let url = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : root.appendingPathComponent(relative)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            if path == nil {
                // A fresh checkout before its first render: .env.example is the render of the catalog defaults.
                return try Settings(file: EnvFile.defaults(path: relative))
            }
            throw SettingsError([
                SettingsIssue(
                    file: relative, line: nil, key: nil, message: "the settings file cannot be read",
                    fix: "create it with `mediaserver init`, or copy .env.example to .env")
            ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SettingsError([
                SettingsIssue(
                    file: relative, line: nil, key: nil, message: "the settings file is not UTF-8 text",
                    fix: "save it as UTF-8")
            ])
        }
        return try Settings.parse(text, path: relative)
    }
}
