import Foundation

/// The backup scripts, package resources under `Scripts/backup/` rendered to `backup/` byte for byte: they take every
/// path as an argument or from the environment, so nothing in them depends on the settings. `scripts/test` lints
/// them in place (shellcheck, ruff).
public enum BackupScripts {
    /// A script as it ships in the package.
    public struct Script: Sendable, Hashable {
        /// Its name, both in the package's `Scripts/backup/` and in the rendered `backup/`.
        public let name: String
        /// Whether the rendered copy is executable (the shell scripts that are run; the Python programs are run
        /// by them, and the shared shell functions sourced).
        public let executable: Bool

        /// Where `mediaserver render` writes it.
        public var renderedPath: String { "backup/\(name)" }
    }

    /// `pre-backup.sh`: consistent online copies of every SQLite database Borg would archive, before create.
    public static let preBackup = [
        Script(name: "pre-backup.sh", executable: true), Script(name: "pre-backup.py", executable: false),
    ]
    /// `post-backup.sh`: node_exporter textfile metrics, written atomically, after every create.
    public static let postBackup = [Script(name: "post-backup.sh", executable: true)]
    /// `textfile-metrics.sh`: what post-backup.sh and offsite.sh share to write their metrics (sourced from
    /// beside them, so both run it from the same mounted folder).
    public static let textfileMetrics = [Script(name: "textfile-metrics.sh", executable: false)]
    /// `offsite.sh`: the off-site copy under Borg's lock, with its guards and the in-lock check.
    public static let offsite = [Script(name: "offsite.sh", executable: true)]
    /// `restore-dumps.sh`: puts the consistent database copies back over an extracted config tree.
    public static let restoreDumps = [
        Script(name: "restore-dumps.sh", executable: true), Script(name: "restore-dumps.py", executable: false),
    ]

    /// Every script the package ships.
    public static let all = preBackup + postBackup + textfileMetrics + offsite + restoreDumps

    /// The script's text, read from the package's resources.
    public static func contents(of script: Script) throws(MissingScript) -> String {
        for folder in resourceFolders {
            let url = folder.appendingPathComponent("backup").appendingPathComponent(script.name)
            if let text = try? String(contentsOf: url, encoding: .utf8) { return text }
        }
        throw MissingScript(name: script.name, searched: resourceFolders.map(\.path))
    }

    /// The resource folder's name, as SwiftPM builds it beside the binary (`<package>_<target>.resources`).
    static let resourceFolderName = "mediaserver_MediaStackRendering.resources"

    /// Where the resource folder may be: beside the binary as invoked, and beside the binary a symlink points to
    /// (`/usr/local/bin/mediaserver` linked to a build). Looked up by hand rather than through `Bundle.module`,
    /// whose accessor stops the process with a fatal error when the folder is missing, so an incomplete install
    /// gets a message and a fix instead of a crash.
    static var resourceFolders: [URL] {
        var folders = [Bundle.main.bundleURL.appendingPathComponent(resourceFolderName)]
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        folders.append(executable.deletingLastPathComponent().appendingPathComponent(resourceFolderName))
        if let path = CommandLine.arguments.first, path.contains("/") {
            let invoked = URL(fileURLWithPath: path).resolvingSymlinksInPath()
            folders.append(invoked.deletingLastPathComponent().appendingPathComponent(resourceFolderName))
        }
        var seen = Set<String>()
        return folders.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    /// The rendered files of `scripts`.
    static func render(_ scripts: [Script]) throws(MissingScript) -> [RenderedFile] {
        try scripts.map { script throws(MissingScript) in
            RenderedFile(path: script.renderedPath, contents: try contents(of: script), executable: script.executable)
        }
    }

    /// A script missing from the package's resources: the build or the installation is incomplete.
    public struct MissingScript: Error, CustomStringConvertible {
        public let name: String
        /// The folders looked in.
        public let searched: [String]
        public var description: String {
            "the backup script \(name) is missing from the package resources (looked in "
                + "\(searched.joined(separator: ", "))): rebuild with `swift build`, and install the "
                + "\(resourceFolderName) folder beside the mediaserver binary (docs/install.md)"
        }
    }
}
