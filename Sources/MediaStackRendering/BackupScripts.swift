import Foundation

/// The backup scripts, package resources under `Scripts/backup/` rendered to `backup/` byte for byte: they take every
/// path as an argument or from the environment, so nothing in them depends on the settings. `scripts/test` lints
/// them in place (shellcheck, ruff).
public enum BackupScripts {
    /// A script as it ships in the package.
    public struct Script: Sendable, Hashable {
        /// Its name, both in the package's `Scripts/backup/` and in the rendered `backup/`.
        public let name: String
        /// Whether the rendered copy is executable (the shell scripts; the Python programs are run by them).
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
    /// `offsite.sh`: the off-site copy under Borg's lock, with its guards and the in-lock check.
    public static let offsite = [Script(name: "offsite.sh", executable: true)]
    /// `restore-dumps.sh`: puts the consistent database copies back over an extracted config tree.
    public static let restoreDumps = [
        Script(name: "restore-dumps.sh", executable: true), Script(name: "restore-dumps.py", executable: false),
    ]

    /// Every script the package ships.
    public static let all = preBackup + postBackup + offsite + restoreDumps

    /// The script's text, read from the package's resources.
    public static func contents(of script: Script) throws(MissingScript) -> String {
        guard let url = Bundle.module.url(forResource: script.name, withExtension: nil, subdirectory: "backup"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { throw MissingScript(name: script.name) }
        return text
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
        public var description: String {
            "the backup script \(name) is missing from the package resources (\(Bundle.module.bundlePath)): "
                + "rebuild with `swift build`, and install the mediaserver_MediaStackRendering.resources folder "
                + "beside the mediaserver binary"
        }
    }
}
