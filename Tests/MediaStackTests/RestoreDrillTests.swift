import Foundation
import MediaStack
import MediaStackRendering
import Testing

@testable import MediaStackOperations

/// The restore drill's comparison on real trees on disk: a source root and a restore of it, with the rendered
/// excludes, a dump folder (MANIFEST.tsv, live-databases.exclude) and a CACHEDIR.TAG, as `backup restore-drill`
/// sees them after the extract.
@Suite("Restore drill comparison")
struct RestoreDrillTests {
    /// A source tree, its restore, and the dump folder of the restore.
    struct Trees {
        let base: URL
        var sources: String { base.path + "/sources" }
        var restored: String { base.path + "/restored/srv/cfg" }
        var dumps: String { base.path + "/restored/srv/cfg-dumps" }
        var excludes: URL { base.appendingPathComponent("excludes.txt") }

        init() throws {
            base = try TestSupport.temporaryFolder()
            for folder in [sources, restored, dumps] {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            // The committed excludes, so the patterns are the ones a real drill reads.
            try FileManager.default.copyItem(
                at: TestSupport.repositoryRoot.appendingPathComponent("backup/excludes.txt"), to: excludes)
        }

        /// Writes `relative` on both sides (or one), creating folders.
        func write(_ relative: String, _ text: String, sides: [String]? = nil, mode: Int = 0o644) throws {
            for root in sides ?? [sources, restored] {
                let url = URL(fileURLWithPath: root + "/" + relative)
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
                if mode != 0o644 {
                    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
                }
            }
        }

        /// Creates folders on both sides.
        func folders(_ relatives: String...) throws {
            for root in [sources, restored] {
                for relative in relatives {
                    try FileManager.default.createDirectory(
                        atPath: root + "/" + relative, withIntermediateDirectories: true)
                }
            }
        }

        func compare(_ folders: [String], readers: Int = 2) async throws -> RestoreDrill.Comparison {
            try await RestoreDrill.compare(
                sources: sources, restored: restored, archiveSourceRoot: "/srv/cfg", dumps: dumps,
                excludesFile: excludes, folders: folders, readers: readers)
        }

        func remove() { try? FileManager.default.removeItem(at: base) }
    }

    @Test func identicalTreesHaveNoDifference() async throws {
        let trees = try Trees()
        defer { trees.remove() }
        try trees.write("sonarr/config.xml", "<Config/>")
        try trees.write("sonarr/asp/key-1.xml", "key")
        try trees.write("sonarr/empty", "")
        try trees.write("radarr/config.xml", String(repeating: "radarr ", count: 400_000))  // more than one chunk
        try FileManager.default.createSymbolicLink(atPath: trees.sources + "/sonarr/link", withDestinationPath: "asp")
        try FileManager.default.createSymbolicLink(atPath: trees.restored + "/sonarr/link", withDestinationPath: "asp")
        let result = try await trees.compare(["sonarr", "radarr"])
        #expect(result.differences.isEmpty, "\(result.differences)")
        #expect(result.files == 5)
        #expect(result.bytes == Int64(9 + 3 + 7 * 400_000))
    }

    @Test func everyKindOfDifferenceIsFound() async throws {
        let trees = try Trees()
        defer { trees.remove() }
        try trees.write("sonarr/same-size", "abcdef", sides: [trees.sources])
        try trees.write("sonarr/same-size", "abcdeX", sides: [trees.restored])
        try trees.write("sonarr/shorter", "abcdef", sides: [trees.sources])
        try trees.write("sonarr/shorter", "abc", sides: [trees.restored])
        try trees.write("sonarr/lost", "x", sides: [trees.sources])
        try trees.write("sonarr/extra", "x", sides: [trees.restored])
        try trees.write("sonarr/lost-folder/a", "x", sides: [trees.sources])
        try trees.write("sonarr/mode", "x", mode: 0o600)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o644], ofItemAtPath: trees.restored + "/sonarr/mode")
        try trees.write("sonarr/kind", "x", sides: [trees.sources])
        try FileManager.default.createDirectory(
            atPath: trees.restored + "/sonarr/kind", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: trees.sources + "/sonarr/link", withDestinationPath: "a")
        try FileManager.default.createSymbolicLink(atPath: trees.restored + "/sonarr/link", withDestinationPath: "b")
        // A large file that differs only in its last byte.
        var big = Data(repeating: 7, count: 3 << 20)
        try big.write(to: URL(fileURLWithPath: trees.sources + "/sonarr/big"))
        big[big.count - 1] = 8
        try big.write(to: URL(fileURLWithPath: trees.restored + "/sonarr/big"))
        // radarr is in neither tree: nothing to compare, no difference.
        let result = try await trees.compare(["sonarr", "radarr"])
        let found = Dictionary(uniqueKeysWithValues: result.differences.map { ($0.path, $0.problem) })
        #expect(
            found == [
                "sonarr/same-size": "contents differ", "sonarr/shorter": "contents differ",
                "sonarr/big": "contents differ",
                "sonarr/lost": "missing from the restore", "sonarr/extra": "in the restore but not in the sources",
                "sonarr/lost-folder": "missing from the restore", "sonarr/mode": "permissions differ (600 vs 644)",
                "sonarr/kind": "file type differs", "sonarr/link": "symbolic link target differs",
            ])
        #expect(result.differences.map(\.path) == result.differences.map(\.path).sorted())
    }

    @Test func excludesDatabaseCopiesAndCacheFoldersAreHonoured() async throws {
        let trees = try Trees()
        defer { trees.remove() }
        try trees.folders(
            "sonarr", "plex/config/Library/Application Support/Plex Media Server/Plug-in Support/Databases",
            "bazarr/db", "grafana/plugins")
        // Excluded by the rendered patterns: in the sources only.
        try trees.write("sonarr/logs/sonarr.txt", "log", sides: [trees.sources])
        try trees.write("sonarr/upgrade.tmp", "tmp", sides: [trees.sources])
        try trees.write(
            "plex/config/Library/Application Support/Plex Media Server/Cache/a/b", "cache", sides: [trees.sources])
        try trees.write(
            "plex/config/Library/Application Support/Plex Media Server/Plug-in Support/Databases/"
                + "com.plexapp.plugins.library.db-2026-11-20", "old", sides: [trees.sources])
        try trees.write("plex/config/Library/Application Support/Plex Media Server/Metadata/m/Info.xml", "<m/>")
        // A live database pre-backup.sh replaced by its copy: excluded by the generated pp: line, its copy
        // listed in MANIFEST.tsv and restored; the live file has moved on since.
        try trees.write("radarr/radarr.db-wal", "wal", sides: [trees.sources])
        try trees.write("radarr/radarr.db", "live, newer", sides: [trees.sources])
        try trees.write("radarr/radarr.db", "copy", sides: [trees.restored])
        try trees.write("bazarr/db/bazarr.db", "live", sides: [trees.sources])
        try "# generated\npp:/srv/cfg/radarr/radarr.db-wal\n".write(
            toFile: trees.dumps + "/" + BackupPaths.liveDatabaseExcludes, atomically: true, encoding: .utf8)
        try "# path\tsha256\nradarr/radarr.db\tabc\nbazarr/db/bazarr.db\tdef\n".write(
            toFile: trees.dumps + "/" + BackupPaths.dumpManifest, atomically: true, encoding: .utf8)
        // A cache folder with a valid tag is skipped; one with a wrong tag is compared.
        try trees.write(
            "grafana/plugins/cached/CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n",
            sides: [trees.sources])
        try trees.write("grafana/plugins/cached/blob", "blob", sides: [trees.sources])
        try trees.write("grafana/plugins/fake/CACHEDIR.TAG", "Signature: not a cache\n", sides: [trees.sources])
        try trees.write("grafana/grafana.ini", "[server]")
        let result = try await trees.compare(["sonarr", "plex", "radarr", "bazarr", "grafana"])
        let found = Dictionary(uniqueKeysWithValues: result.differences.map { ($0.path, $0.problem) })
        #expect(
            found == [
                "bazarr/db/bazarr.db": "database missing from the restore",
                "grafana/plugins/fake": "missing from the restore",
            ])
        #expect(result.excluded == 6, "logs, *.tmp, Cache, the old library copy, the -wal, the tagged folder")
        #expect(result.databases == 2)
        #expect(result.files == 2, "Info.xml and grafana.ini")
    }

    @Test("a difference deep in a large tree is found, whatever the number of readers", arguments: [1, 2])
    func deepDifference(readers: Int) async throws {
        let trees = try Trees()
        defer { trees.remove() }
        // 16 folders of 16 bundles of 8 files (2,048 files), and one chain 24 folders deep.
        var deep = "plex/config/Library/Application Support/Plex Media Server/Metadata/Movies"
        for level in 0..<24 { deep += "/level-\(level)" }
        try trees.write(deep + "/Info.xml", "<MediaContainer size=\"1\"/>")
        try trees.write(deep + "/poster", String(repeating: "p", count: 4096))
        for folder in 0..<16 {
            for bundle in 0..<16 {
                for file in 0..<8 {
                    try trees.write(
                        "plex/config/Metadata/\(String(folder, radix: 16))/b\(bundle).bundle/f\(file)",
                        "bundle \(bundle) file \(file) " + String(repeating: "x", count: file * 100))
                }
            }
        }
        let clean = try await trees.compare(["plex"], readers: readers)
        #expect(clean.differences.isEmpty, "\(clean.differences)")
        #expect(clean.files == 2 + 16 * 16 * 8)
        // One byte flipped in the deepest file, same size and permissions.
        try trees.write(deep + "/poster", String(repeating: "p", count: 4095) + "q", sides: [trees.restored])
        let result = try await trees.compare(["plex"], readers: readers)
        #expect(result.differences.map { "\($0.path): \($0.problem)" } == ["\(deep)/poster: contents differ"])
        #expect(result.files == clean.files)
    }

    /// Writes the restore as borg extracts it (`src/borg/archive.py` `extract_item`, `restore_attrs`): each
    /// folder's entries by inode number, a file's data in pieces, then its mode and, last, its modification time;
    /// a folder's time once everything in it is written. `altered` is written with its last byte changed.
    static func extract(from source: String, to restored: String, altered: String) throws {
        func copy(_ relative: String) throws {
            var status = stat()
            guard lstat(source + "/" + relative, &status) == 0 else { return }
            let target = restored + "/" + relative
            let times = [status.st_atim, status.st_mtim]
            if status.st_mode & S_IFMT == S_IFDIR {
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
                guard let folder = opendir(source + "/" + relative) else { return }
                let entries = TreeComparison.Walk.entries(folder).sorted { $0.inode < $1.inode }
                closedir(folder)
                for entry in entries {
                    try copy(relative + "/" + String(decoding: entry.name, as: UTF8.self))
                }
            } else if status.st_mode & S_IFMT == S_IFLNK {
                try FileManager.default.createSymbolicLink(
                    atPath: target,
                    withDestinationPath: try FileManager.default.destinationOfSymbolicLink(
                        atPath: source + "/" + relative))
                _ = utimensat(AT_FDCWD, target, times, AT_SYMLINK_NOFOLLOW)
                return
            } else {
                var data = try Data(contentsOf: URL(fileURLWithPath: source + "/" + relative))
                if relative == altered, let last = data.indices.last { data[last] ^= 1 }
                let file = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                defer { close(file) }
                for piece in [data.prefix(data.count / 2), data.dropFirst(data.count / 2)] {
                    _ = piece.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
                    usleep(1000)
                }
                fchmod(file, status.st_mode & 0o7777)
            }
            _ = utimensat(AT_FDCWD, target, times, 0)
        }
        try copy("plex")
    }

    /// Removes the restore, then compares while a thread writes it again as borg does (`extract`), `altered` changed.
    static func compareWhileExtracting(_ trees: Trees, altered: String, release: Bool) async throws
        -> RestoreDrill.Comparison
    {
        try FileManager.default.removeItem(atPath: trees.restored)
        let extraction = TreeComparison.Extraction()
        let sources = trees.sources
        let restored = trees.restored
        let extractor = Thread {
            try? RestoreDrillTests.extract(from: sources, to: restored, altered: altered)
            extraction.finish()
        }
        extractor.start()
        return try await RestoreDrill.compare(
            sources: trees.sources, restored: trees.restored, archiveSourceRoot: "/srv/cfg", dumps: trees.dumps,
            excludesFile: trees.excludes, folders: ["plex"], readers: 2, progressInterval: .seconds(10),
            progress: { _ in }, extraction: extraction, release: release)
    }

    @Test("compared while borg still writes the restore: entries are read once complete, a difference is found")
    func duringExtraction() async throws {
        let trees = try Trees()
        defer { trees.remove() }
        for folder in 0..<6 {
            for file in 0..<8 {
                try trees.write(
                    "plex/Metadata/\(folder)/b.bundle/f\(file)",
                    String(repeating: "metadata \(folder) \(file) ", count: 50 * (file + 1)), sides: [trees.sources],
                    mode: file == 3 ? 0o600 : 0o644)
            }
        }
        let altered = "plex/Metadata/4/b.bundle/f6"
        let result = try await Self.compareWhileExtracting(trees, altered: altered, release: false)
        #expect(result.differences.map { "\($0.path): \($0.problem)" } == ["\(altered): contents differ"])
        #expect(result.files == 48)
    }

    @Test("without --keep, each restored file goes once it compared equal; differences and hard links stay")
    func releaseDuringExtraction() async throws {
        let trees = try Trees()
        defer { trees.remove() }
        for folder in 0..<4 {
            for file in 0..<6 {
                try trees.write(
                    "plex/Metadata/\(folder)/b.bundle/f\(file)",
                    String(repeating: "metadata \(folder) \(file) ", count: 40 * (file + 1)), sides: [trees.sources])
            }
        }
        try trees.write("plex/Metadata/empty", "", sides: [trees.sources])
        try FileManager.default.createSymbolicLink(
            atPath: trees.sources + "/plex/Metadata/link", withDestinationPath: "0")
        // Borg restores a second link by linking it to the first one it extracted: both must stay.
        try FileManager.default.linkItem(
            atPath: trees.sources + "/plex/Metadata/1/b.bundle/f2", toPath: trees.sources + "/plex/Metadata/hard")
        let altered = "plex/Metadata/2/b.bundle/f5"
        let result = try await Self.compareWhileExtracting(trees, altered: altered, release: true)
        #expect(result.differences.map { "\($0.path): \($0.problem)" } == ["\(altered): contents differ"])
        #expect(result.files == 4 * 6 + 3)
        // What is left of the restore: the folders, the file that differs, the two links of the hard-linked file.
        let left = try FileManager.default.subpathsOfDirectory(atPath: trees.restored).filter { path in
            var status = stat()
            return lstat(trees.restored + "/" + path, &status) == 0 && status.st_mode & S_IFMT != S_IFDIR
        }.sorted()
        #expect(left == ["plex/Metadata/1/b.bundle/f2", altered, "plex/Metadata/hard"].sorted())
    }

    @Test(
        "patterns match component by component as the whole-path translation does",
        arguments: [
            ("sh:**/a/**/c", "x/a/b/b/c/d", true),
            ("sh:**/a/**/c", "a/c", true),
            ("sh:**/a/**/c", "x/a/b/cc", false),
            ("sh:a/?/c", "a/b/c", true),
            ("sh:a/?/c", "a/bb/c", false),
            ("sh:a/[!b]/c", "a/b/c", false),
            ("sh:a/[!b]/c", "a/x/c", true),
            ("sh:a/*.d[0-9]", "a/x.d7/y", true),
            ("sh:a/*/c", "a/b/x/c", false),
            ("sh:**/x*y*z", "q/xAyBz", true),
            ("sh:**/x*y*z", "q/xAyB", false),
            ("sh:a**b/c", "aqqb/c/d", true),
            ("sh:a**b/c", "a/q/b/c", false),
            ("pf:/srv/cfg/radarr", "srv/cfg/radarr", true),
            ("pf:/srv/cfg/radarr", "srv/cfg/radarr/radarr.db", false),
            ("fm:srv/cfg", "srv/cfg/x", true),
            ("srv/c?g", "srv/cfg/x", true),
        ])
    func componentPatterns(pattern: String, path: String, excluded: Bool) {
        #expect(BorgPatterns(lines: [pattern]).excludes(path) == excluded)
    }
}
