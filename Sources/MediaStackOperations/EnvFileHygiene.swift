import Foundation
import MediaStackChecks

/// Host checks of the settings file: tracked by git (its secrets would be pushed), or readable by other users.
public struct EnvFileHygiene: Sendable {
    public let runner: any ProcessRunning

    public init(runner: any ProcessRunning) { self.runner = runner }

    /// Checks `path` (relative to `root` unless absolute). The template `.env.example` holds no secrets and is
    /// meant to be committed, so it is not checked.
    public func check(root: URL, path: String) async -> [Finding] {
        guard !path.hasSuffix(".env.example") else { return [] }
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        var findings: [Finding] = []
        if let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0
        {
            findings.append(
                Finding(
                    .error, .envReadableByOthers, subject: path,
                    message: "mode \(String(mode & 0o777, radix: 8)) lets other users of this host read its secrets",
                    fix: "chmod 600 \(path)"))
        }
        // `git ls-files --error-unmatch` exits 0 only for a tracked file; outside a repository (or without git)
        // it fails, and there is nothing to report.
        let output = try? await runner.run(
            "git", ["-C", url.deletingLastPathComponent().path, "ls-files", "--error-unmatch", url.lastPathComponent],
            environment: nil, workingDirectory: nil, timeout: 30)
        if let output, output.succeeded {
            findings.append(
                Finding(
                    .error, .envTrackedByGit, subject: path,
                    message: "is tracked by git, so every secret in it goes wherever the repository is pushed",
                    fix: "git rm --cached \(path) && echo '/\(url.lastPathComponent)' >> .gitignore, then rotate"
                        + " the secrets it held"))
        }
        return findings
    }
}
