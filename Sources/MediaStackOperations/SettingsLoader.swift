import Foundation
import MediaStack
import MediaStackRendering

/// Finds and reads the settings file of a checkout: `.env` when it exists, else `.env.example`.
public struct SettingsLoader: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// The path used when none is given: `.env`, or `.env.example` before `mediaserver init` ran.
    public func defaultPath() -> String {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(".env").path) ? ".env" : Self.template
    }

    /// The template `render` writes: the catalog defaults, never edited by hand.
    public static let template = EnvExampleRenderer.path

    /// Reads and validates the settings; `path` is relative to the root unless absolute. The template is read as
    /// what it is, the render of the catalog defaults: a copy from before a catalog change (a new service's
    /// settings missing) never blocks the render that brings it up to date.
    public func load(_ path: String? = nil) throws(SettingsError) -> Settings {
        let relative = path ?? defaultPath()
        if relative == Self.template {
            return try Settings.parse(EnvExampleRenderer().render().contents, path: relative)
        }
        let url = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : root.appendingPathComponent(relative)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SettingsError([
                SettingsIssue(
                    file: relative, line: nil, key: nil, message: "the settings file cannot be read",
                    fix: "create it with `mediaserver init`, or copy \(Self.template) to .env")
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
