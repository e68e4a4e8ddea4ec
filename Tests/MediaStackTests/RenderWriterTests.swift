import Foundation
import MediaStackOperations
import MediaStackRendering
import TestKit
import Testing

@Suite("Render writer")
struct RenderWriterTests {
    let files = [
        RenderedFile(path: "compose.yml", contents: "a: 1\n"),
        RenderedFile(path: "backup/pre-backup.sh", contents: "#!/bin/sh\n", executable: true),
    ]

    @Test func createsFilesAtomicallyAndRecordsThem() throws {
        let root = try TestSupport.temporaryFolder()
        let writer = RenderWriter(root: root)
        let plan = writer.plan(files)
        #expect(plan.map(\.action) == [.create, .create])
        try writer.apply(files, plan)
        #expect(try String(contentsOf: root.appendingPathComponent("compose.yml"), encoding: .utf8) == "a: 1\n")
        let mode =
            try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent("backup/pre-backup.sh").path)[
                .posixPermissions] as? Int
        #expect(mode == 0o755)
        #expect(writer.plan(files).allSatisfy { $0.action == .unchanged })
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func aHandEditedFileIsKeptUnlessForced() throws {
        let root = try TestSupport.temporaryFolder()
        let writer = RenderWriter(root: root)
        try writer.apply(files, writer.plan(files))
        let compose = root.appendingPathComponent("compose.yml")
        try "a: 2 # my change\n".write(to: compose, atomically: true, encoding: .utf8)
        let changed = [RenderedFile(path: "compose.yml", contents: "a: 3\n"), files[1]]
        let plan = writer.plan(changed)
        #expect(plan.first { $0.path == "compose.yml" }?.action == .keepHandEdited)
        try writer.apply(changed, plan)
        #expect(try String(contentsOf: compose, encoding: .utf8) == "a: 2 # my change\n")
        let forced = writer.plan(changed, force: true)
        #expect(forced.first { $0.path == "compose.yml" }?.action == .update)
        try writer.apply(changed, forced)
        #expect(try String(contentsOf: compose, encoding: .utf8) == "a: 3\n")
    }

    @Test func anUntouchedEarlierRenderIsUpdated() throws {
        let root = try TestSupport.temporaryFolder()
        let writer = RenderWriter(root: root)
        try writer.apply(files, writer.plan(files))
        let changed = [RenderedFile(path: "compose.yml", contents: "a: 3\n"), files[1]]
        #expect(writer.plan(changed).first { $0.path == "compose.yml" }?.action == .update)
    }

    @Test func aFileNoLongerRenderedIsRemovedWhenUntouched() throws {
        let root = try TestSupport.temporaryFolder()
        let writer = RenderWriter(root: root)
        try writer.apply(files, writer.plan(files))
        let fewer = [files[0]]
        let plan = writer.plan(fewer)
        #expect(plan.contains { $0.path == "backup/pre-backup.sh" && $0.action == .remove })
        try writer.apply(fewer, plan)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("backup/pre-backup.sh").path))
    }

    @Test func aFileWeNeverWroteIsNotOverwritten() throws {
        let root = try TestSupport.temporaryFolder()
        try "mine\n".write(to: root.appendingPathComponent("compose.yml"), atomically: true, encoding: .utf8)
        let plan = RenderWriter(root: root).plan(files)
        #expect(plan.first { $0.path == "compose.yml" }?.action == .keepForeign)
    }

    @Test func anImmutableTargetStopsTheWholeRenderAndChangesNothing() throws {
        let root = try TestSupport.temporaryFolder()
        let writer = RenderWriter(root: root)
        try writer.apply(files, writer.plan(files))
        let script = root.appendingPathComponent("backup/pre-backup.sh")
        try FileTree.chattr("+i", script)
        defer { try? FileTree.chattr("-i", script) }
        let before = FileTree.snapshot(root)
        let changed = [
            RenderedFile(path: "compose.yml", contents: "a: 2\n"),
            RenderedFile(path: "backup/pre-backup.sh", contents: "#!/bin/sh\necho 2\n", executable: true),
        ]
        #expect {
            try writer.apply(changed, writer.plan(changed))
        } throws: { error in
            let described = "\(error)"
            return described.contains("backup/pre-backup.sh") && described.contains("nothing was changed")
        }
        #expect(FileTree.snapshot(root) == before)
    }

    @Test func aFolderThatCannotHoldTheFileStopsEveryWrite() throws {
        let root = try TestSupport.temporaryFolder()
        try "not a folder\n".write(to: root.appendingPathComponent("backup"), atomically: true, encoding: .utf8)
        let before = FileTree.snapshot(root)
        let writer = RenderWriter(root: root)
        #expect {
            try writer.apply(files, writer.plan(files))
        } throws: { error in
            "\(error)".contains("backup/pre-backup.sh") && "\(error)".contains("Not a directory")
        }
        #expect(FileTree.snapshot(root) == before, "compose.yml or the manifest was written")
    }

    @Test func anUpToDateCheckoutIsNotTouched() throws {
        let root = try TestSupport.temporaryFolder()
        let writer = RenderWriter(root: root)
        try writer.apply(files, writer.plan(files))
        let before = FileTree.snapshot(root)
        // An immutable folder: any write, rename, chmod or new file in it would fail.
        try FileTree.chattr("+i", root)
        defer { try? FileTree.chattr("-i", root) }
        let plan = writer.plan(files)
        #expect(plan.allSatisfy { $0.action == .unchanged })
        try writer.apply(files, plan)
        #expect(FileTree.snapshot(root) == before)
    }

    @Test func aLostExecutableBitIsPutBack() throws {
        let root = try TestSupport.temporaryFolder()
        let writer = RenderWriter(root: root)
        try writer.apply(files, writer.plan(files))
        let script = root.appendingPathComponent("backup/pre-backup.sh")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: script.path)
        let plan = writer.plan(files)
        #expect(plan.first { $0.path == "backup/pre-backup.sh" }?.action == .update)
        try writer.apply(files, plan)
        let mode = try FileManager.default.attributesOfItem(atPath: script.path)[.posixPermissions] as? Int
        #expect(mode == 0o755)
    }
}
