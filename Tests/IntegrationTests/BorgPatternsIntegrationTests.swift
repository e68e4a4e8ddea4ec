import Foundation
import MediaStackOperations
import TestKit
import Testing

/// The restore drill's pattern matcher judged by real borg: on a tree holding every path the rendered excludes name,
/// near misses of each, and live database files, `borg create --dry-run --list` marks with `x` exactly the paths
/// where the matcher first excludes (borg does not descend below an excluded folder, nor does the drill).
@Suite("Borg patterns against borg create")
struct BorgPatternsIntegrationTests {
    @Test func theMatcherExcludesWhatBorgExcludes() async throws {
        guard IntegrationSupport.tool("borg") != nil else { return }
        let base = try Scratch.folder("mediaserver-patterns")
        defer { try? FileManager.default.removeItem(at: base) }
        let root = base.appendingPathComponent("cfg").path
        let excludes = try String(
            contentsOf: IntegrationSupport.repositoryRoot.appendingPathComponent("backup/excludes.txt"),
            encoding: .utf8)
        // Every `sh:**/X` line as a folder and a file in two places, with a child, and near misses.
        var paths: [String] = []
        for line in excludes.split(separator: "\n") where line.hasPrefix("sh:**/") {
            let body = line.dropFirst("sh:**/".count).replacingOccurrences(of: "[0-9]", with: "7")
                .replacingOccurrences(of: "*", with: "ab")
            paths += [
                body + "/child", "deep/er/" + body + "/child", body + "x/child", "x" + body + "/child",
                body.uppercased() + "/child",
            ]
        }
        paths += [
            "sonarr/sonarr.db", "sonarr/sonarr.db-wal", "sonarr/sonarr.db-shm", "sonarr/sonarr.dbx", "radarr/a.tmp.x",
            "radarr/.tmp", "radarr/x/.DS_Store/y",
            "plex/config/Library/Application Support/Plex Media Server/"
                + "Plug-in Support/Databases/com.plexapp.plugins.library.db-20x6-01",
            "jellyfin/config/log", "ünïcode/plex/transcode", "a b/c?d/e[1]",
        ]
        for path in paths {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: url.path) {
                try Data("x".utf8).write(to: url)
            }
        }
        // What pre-backup.sh writes for the live databases it copied.
        let live = "pp:\(root)/sonarr/sonarr.db\npp:\(root)/sonarr/sonarr.db-wal\npf:\(root)/sonarr/sonarr.db-shm\n"
        let patternFile = base.appendingPathComponent("patterns.txt")
        try (excludes + "\n" + live).write(to: patternFile, atomically: true, encoding: .utf8)
        let patterns = BorgPatterns(lines: (excludes + "\n" + live).split(separator: "\n").map(String.init))

        let env = ["env", "BORG_BASE_DIR=\(base.path)/borg-base", "BORG_PASSPHRASE="]
        let repository = base.appendingPathComponent("repo").path
        let initialise = try await IntegrationSupport.run(
            env[0], Array(env.dropFirst()) + ["borg", "init", "-e", "none", repository])
        #expect(initialise.succeeded, "\(initialise.standardError)")
        let listing = try await IntegrationSupport.run(
            env[0],
            Array(env.dropFirst()) + [
                "borg", "create", "--dry-run", "--list", "--exclude-from", patternFile.path, repository + "::a", root,
            ])
        #expect(listing.succeeded, "\(listing.standardError)")
        let lines = (listing.standardOutput + listing.standardError).split(separator: "\n")
        let byBorg = Set(lines.filter { $0.hasPrefix("x ") }.map { String($0.dropFirst(2)) })
        #expect(byBorg.count > 50, "\(lines.prefix(20))")

        // The matcher, walking as the drill does: an excluded folder is not entered.
        var byMatcher = Set<String>()
        var pending = [root]
        while let folder = pending.popLast() {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
                let path = folder + "/" + name
                if patterns.excludes(path) {
                    byMatcher.insert(path)
                    continue
                }
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                    pending.append(path)
                }
            }
        }
        #expect(byMatcher.subtracting(byBorg).sorted() == [], "excluded by the matcher only")
        #expect(byBorg.subtracting(byMatcher).sorted() == [], "excluded by borg only")
    }
}
