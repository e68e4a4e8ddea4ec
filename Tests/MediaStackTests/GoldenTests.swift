import Foundation
import MediaStack
import MediaStackRendering
import Testing

/// Each rendered file against a golden copy rendered from `Fixtures/golden.env` (ports, paths, ids and disabled
/// services all differ from the defaults). A failure names the command that re-records them, `recordCommand`.
/// The backup scripts have none: they are copies of package resources, whatever the settings (BackupTests).
@Suite("Golden files")
struct GoldenTests {
    static let golden = TestSupport.testsFolder.appendingPathComponent("Golden")
    static let recordCommand = "MEDIASERVER_RECORD_GOLDEN=1 swift test --filter GoldenTests"
    static var recording: Bool { ProcessInfo.processInfo.environment["MEDIASERVER_RECORD_GOLDEN"] == "1" }

    static func rendered() throws -> [RenderedFile] {
        let url = TestSupport.testsFolder.appendingPathComponent("Fixtures/golden.env")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try TestSupport.render(try TestSupport.settings(text, path: "golden.env"))
    }

    /// The golden files on disk: the cases exist whether or not rendering works, so a render that throws fails
    /// every case instead of leaving none.
    static let paths: [String] = {
        let enumerator = FileManager.default.enumerator(atPath: golden.path)
        var paths: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: golden.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { paths.append(path) }
        }
        return paths.sorted()
    }()

    @Test func thereAreGoldenFiles() {
        #expect(Self.paths.count > 20, "no golden files under \(Self.golden.path): run \(Self.recordCommand)")
    }

    @Test("rendered file equals its golden copy", arguments: paths)
    func matchesGolden(path: String) throws {
        let url = Self.golden.appendingPathComponent(path)
        guard let file = try Self.rendered().first(where: { $0.path == path }) else {
            if Self.recording { try FileManager.default.removeItem(at: url) }
            Issue.record("Golden/\(path) is no longer rendered; re-record with: \(Self.recordCommand)")
            return
        }
        if Self.recording { try file.contents.write(to: url, atomically: true, encoding: .utf8) }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(
            file.contents == expected,
            "\(path) differs from Golden/\(path); if the change is intended, re-record: \(Self.recordCommand)")
    }

    @Test func everyRenderedFileHasAGoldenCopy() throws {
        let scripts = Set(BackupScripts.all.map(\.renderedPath))
        for file in try Self.rendered() where !Self.paths.contains(file.path) && !scripts.contains(file.path) {
            if Self.recording {
                let url = Self.golden.appendingPathComponent(file.path)
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try file.contents.write(to: url, atomically: true, encoding: .utf8)
            } else {
                Issue.record("\(file.path) has no golden copy; record it with: \(Self.recordCommand)")
            }
        }
    }

    @Test func theCommittedFilesAreTheRenderOfEnvExample() throws {
        let root = TestSupport.repositoryRoot
        let example = try String(contentsOf: root.appendingPathComponent(".env.example"), encoding: .utf8)
        let files = try TestSupport.render(try TestSupport.settings(example, path: ".env.example"))
        for file in files {
            let committed = try? String(contentsOf: root.appendingPathComponent(file.path), encoding: .utf8)
            #expect(committed == file.contents, "\(file.path) differs from a fresh render: run `mediaserver render`")
        }
    }
}
