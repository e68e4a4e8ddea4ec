import Foundation

/// Where the render of a settings file lives in a checkout.
///
/// The files committed at the repository root are the render of `.env.example`: they change only with the catalog,
/// so `git pull` never meets a local change in them, and the tests compare them with a render of `.env.example`
/// whatever `.env` holds. The render of any other settings file (a user's `.env`) goes to the git-ignored folder
/// `deploy/`, with the same layout, and every command that operates the stack runs Compose there. `deploy/.env`
/// links to the checkout's `.env`, so `cd deploy && docker compose up -d` works without the tool too.
public enum RenderLocation {
    /// The git-ignored folder that holds the render of a user's settings.
    public static let deploymentFolder = "deploy"
    /// The settings file whose render is committed at the root.
    public static let committedSettings = ".env.example"

    /// The folder the render of `settingsPath` (as given, relative to `checkout` unless absolute) belongs in.
    public static func folder(checkout: URL, settingsPath: String) -> URL {
        isCommitted(settingsPath, checkout: checkout)
            ? checkout : checkout.appendingPathComponent(deploymentFolder, isDirectory: true)
    }

    /// Whether `settingsPath` is the checkout's `.env.example`, whose render is the committed files.
    public static func isCommitted(_ settingsPath: String, checkout: URL) -> Bool {
        let url =
            settingsPath.hasPrefix("/")
            ? URL(fileURLWithPath: settingsPath) : checkout.appendingPathComponent(settingsPath)
        return url.standardizedFileURL.path
            == checkout.appendingPathComponent(committedSettings).standardizedFileURL.path
    }

    /// The settings file as an absolute path, for Compose running in the deployment folder.
    public static func absoluteSettingsPath(checkout: URL, settingsPath: String) -> String {
        settingsPath.hasPrefix("/")
            ? settingsPath : checkout.appendingPathComponent(settingsPath).standardizedFileURL.path
    }

    /// Links `deploy/.env` to the settings file (relatively, so the checkout can move), so Compose run by hand in
    /// `deploy/` reads the same settings. Does nothing for the committed render, and leaves a `deploy/.env` that is
    /// not a link alone.
    public static func linkSettings(in folder: URL, checkout: URL, settingsPath: String) throws {
        guard !isCommitted(settingsPath, checkout: checkout) else { return }
        let target = settingsPath.hasPrefix("/") ? settingsPath : "../" + settingsPath
        let link = folder.appendingPathComponent(".env")
        let manager = FileManager.default
        if let existing = try? manager.destinationOfSymbolicLink(atPath: link.path) {
            if existing == target { return }
            try manager.removeItem(at: link)
        } else if manager.fileExists(atPath: link.path) {
            return
        }
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        try manager.createSymbolicLink(atPath: link.path, withDestinationPath: target)
    }
}
