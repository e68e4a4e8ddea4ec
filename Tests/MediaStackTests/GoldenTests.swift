import Foundation
import MediaStack
import MediaStackRendering
import Testing

/// Each rendered file against a golden copy rendered from `Fixtures/golden.env` (ports, paths, ids and disabled
/// services all differ from the defaults). Re-record with `MEDIASERVER_RECORD_GOLDEN=1 swift test`.
@Suite("Golden files")
struct GoldenTests {
    static let golden = TestSupport.testsFolder.appendingPathComponent("Golden")

    static func rendered() throws -> [RenderedFile] {
        let url = TestSupport.testsFolder.appendingPathComponent("Fixtures/golden.env")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try TestSupport.render(try TestSupport.settings(text, path: "golden.env"))
    }

    static let paths: [String] = (try? rendered().map(\.path)) ?? []

    @Test("rendered file equals its golden copy", arguments: paths)
    func matchesGolden(path: String) throws {
        let file = try #require(try Self.rendered().first { $0.path == path })
        let url = Self.golden.appendingPathComponent(path)
        if ProcessInfo.processInfo.environment["MEDIASERVER_RECORD_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.contents.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(file.contents == expected, "\(path) differs from Tests/MediaStackTests/Golden/\(path)")
    }

    @Test func everyGoldenFileIsStillRendered() throws {
        let paths = Set(try Self.rendered().map(\.path))
        let enumerator = FileManager.default.enumerator(atPath: Self.golden.path)
        var stale: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(
                atPath: Self.golden.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue && !paths.contains(path) { stale.append(path) }
        }
        #expect(stale.isEmpty, "golden files nothing renders any more: \(stale)")
        #expect(paths.count >= 4)
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
