import Foundation
import TestKit
import Testing

/// The test run's scratch folders: in one run folder that names its owner, removed at exit, and swept by the next run
/// when the owner was killed.
@Suite struct ScratchTests {
    /// A folder to sweep, outside the real temporary folder's run folders.
    static func sandbox() throws -> URL {
        try Scratch.folder("scratch-sweep")
    }

    /// The pid of a process that has ended and been reaped.
    static func endedPid() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test func aRunFolderWhoseOwnerIsGoneIsSweptAndALiveOnesIsKept() throws {
        let sandbox = try Self.sandbox()
        let pid = getpid()
        let start = try #require(Scratch.startTime(of: pid))
        let ended = try Self.endedPid()
        let names = [
            "\(Scratch.prefix)\(pid).\(start)",  // this process: kept
            "\(Scratch.prefix)\(ended).\(start)",  // a killed run: swept
            "\(Scratch.prefix)\(pid).1",  // an earlier process with this pid: swept
            "mediaserver-something-else",  // not a run folder: kept
        ]
        for name in names {
            // Each holds a read-only folder, as a test can leave it.
            let locked = sandbox.appendingPathComponent(name).appendingPathComponent("data/locked")
            try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
            try Data("x".utf8).write(to: locked.appendingPathComponent("file"))
            try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: locked.path)
        }
        let swept = Scratch.sweep(in: sandbox).map(\.lastPathComponent).sorted()
        #expect(swept == [names[1], names[2]].sorted())
        let left = try FileManager.default.contentsOfDirectory(atPath: sandbox.path).sorted()
        #expect(left == [names[0], names[3]].sorted())
        for name in left {
            try FileManager.default.setAttributes(
                [.posixPermissions: 0o700], ofItemAtPath: sandbox.appendingPathComponent("\(name)/data/locked").path)
        }
    }

    @Test func scratchFoldersAreInThisProcesssRunFolder() throws {
        let folder = try Scratch.folder("scratch-owner")
        let run = folder.deletingLastPathComponent()
        #expect(run.standardizedFileURL.path == Scratch.runFolder.standardizedFileURL.path)
        #expect(
            run.deletingLastPathComponent().standardizedFileURL.path
                == FileManager.default.temporaryDirectory.standardizedFileURL.path)
        #expect(run.lastPathComponent == "\(Scratch.prefix)\(getpid()).\(Scratch.startTime(of: getpid()) ?? "")")
        #expect(
            !Scratch.sweep(in: run.deletingLastPathComponent()).map(\.lastPathComponent).contains(run.lastPathComponent)
        )
        #expect(FileManager.default.fileExists(atPath: folder.path))
    }
}
