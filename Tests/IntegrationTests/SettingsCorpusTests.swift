import Foundation
import MediaStack
import MediaStackOperations
import TestKit
import Testing

/// Bad settings and faults, each run through the built `mediaserver`: the exit code, no file changed, a message
/// that names the file, the line and the key, and never a secret in stdout or stderr.
@Suite("Bad settings through the binary")
struct SettingsCorpusTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// The `.env` bytes.
        let env: [UInt8]
        var command: [String] = ["render"]
        var status: Int32 = 2
        /// Every fragment must appear in stderr.
        var messages: [String] = []
        /// The key whose line the message must name (`.env:N:`), found in `env`.
        var key: String?
        /// What the named line starts with, when it is not the key's line.
        var marker: String?
        /// Text that must appear in neither stdout nor stderr.
        var secret: String?
        var testDescription: String { name }
    }

    static let example: String =
        (try? String(
            contentsOf: IntegrationSupport.repositoryRoot.appendingPathComponent(".env.example"), encoding: .utf8))
        ?? ""

    /// `.env.example` with the line of `key` replaced by `line` (bytes, so NUL and non-UTF-8 survive).
    static func example(_ key: String, _ line: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for text in example.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            out += text.hasPrefix("\(key)=") ? line : Array(text.utf8)
            out.append(0x0A)
        }
        return out
    }

    static func example(_ key: String, _ line: String) -> [UInt8] { example(key, Array(line.utf8)) }

    static let cases: [Case] = [
        Case(
            name: "a secret Compose would interpolate",
            env: example("BORG_PASSPHRASE", "BORG_PASSPHRASE=Sx9${HOME}Sx9"),
            messages: ["BORG_PASSPHRASE", "$$", "single quotes"], key: "BORG_PASSPHRASE", secret: "Sx9"),
        Case(
            name: "a secret Compose would cut at a $",
            env: example("BORG_PASSPHRASE", "BORG_PASSPHRASE=topsecret$cdtopsecret"),
            messages: ["BORG_PASSPHRASE", "$$"], key: "BORG_PASSPHRASE", secret: "topsecret"),
        Case(
            name: "a secret without =", env: example("BORG_PASSPHRASE", "BORG_PASSPHRASE topsecret42"),
            messages: ["BORG_PASSPHRASE", "not KEY=value"], key: "BORG_PASSPHRASE", secret: "topsecret42"),
        Case(
            name: "a secret with text after its quote",
            env: example("BORG_PASSPHRASE", "BORG_PASSPHRASE=\"ab\"topsecret"),
            messages: ["BORG_PASSPHRASE", "after its closing quote"], key: "BORG_PASSPHRASE", secret: "topsecret"),
        Case(
            name: "a NUL byte in a secret",
            env: example("BORG_PASSPHRASE", Array("BORG_PASSPHRASE=ab".utf8) + [0] + Array("topsecret".utf8)),
            messages: ["BORG_PASSPHRASE", "control character"], key: "BORG_PASSPHRASE", secret: "topsecret"),
        Case(
            name: "a NUL byte in a secret, for backup list --direct",
            env: example("BORG_PASSPHRASE", Array("BORG_PASSPHRASE=ab".utf8) + [0] + Array("topsecret".utf8)),
            command: ["backup", "list", "--direct"], messages: ["BORG_PASSPHRASE"], key: "BORG_PASSPHRASE",
            secret: "topsecret"),
        Case(
            name: "an unterminated secret", env: example("GRAFANA_ADMIN_PASSWORD", "GRAFANA_ADMIN_PASSWORD='hunter2"),
            messages: ["GRAFANA_ADMIN_PASSWORD", "quote"], key: "GRAFANA_ADMIN_PASSWORD", secret: "hunter2"),
        Case(
            name: "LAN_IP of colons", env: example("LAN_IP", "LAN_IP=:::::"), messages: ["not an IP address"],
            key: "LAN_IP"),
        Case(
            name: "a colon in a host path", env: example("DATA_ROOT", "DATA_ROOT=/mnt/a:b"), messages: ["':'"],
            key: "DATA_ROOT"),
        Case(
            name: "a line break in a host path", env: example("DATA_ROOT", "DATA_ROOT=\"/mnt/a\nb\""),
            messages: ["line break"], key: "DATA_ROOT"),
        Case(
            name: "a signed id", env: example("PUID", "PUID=+1000"), messages: ["not a numeric id"], key: "PUID"),
        Case(
            name: "a time zone not in the database", env: example("TZ", "TZ=Mars/Olympus"),
            messages: ["zone database"], key: "TZ"),
        Case(
            name: "a comment that is not UTF-8",
            env: example("TZ", Array("# caf".utf8) + [0xE9] + Array("\nTZ=Etc/UTC".utf8)),
            messages: ["not UTF-8"], key: "TZ", marker: "# caf"),
        Case(
            name: "a megabyte value is not echoed whole",
            env: example("LAN_IP", "LAN_IP=" + String(repeating: "9", count: 1 << 20)),
            messages: ["not an IP address", "…"], key: "LAN_IP", secret: String(repeating: "9", count: 100)),
        Case(
            name: "check: a secret Compose would interpolate",
            env: example("BORG_PASSPHRASE", "BORG_PASSPHRASE=Sx9${HOME}Sx9"), command: ["check"],
            messages: ["BORG_PASSPHRASE"], key: "BORG_PASSPHRASE", secret: "Sx9"),
    ]

    static func run(_ arguments: [String], root: URL) async throws -> ProcessOutput {
        try await IntegrationSupport.mediaserver(arguments + ["--root", root.path])
    }

    @Test("a bad .env is refused, nothing changes, no secret is printed", arguments: cases)
    func badSettings(_ bad: Case) async throws {
        let root = try IntegrationSupport.copyOfCommittedFiles()
        defer { try? FileManager.default.removeItem(at: root) }
        try Data(bad.env).write(to: root.appendingPathComponent(".env"))
        let before = FileTree.snapshot(root)
        let output = try await Self.run(bad.command, root: root)
        #expect(output.status == bad.status, "\(output.standardError)")
        #expect(FileTree.snapshot(root) == before, "a file changed")
        for message in bad.messages {
            #expect(
                output.standardError.contains(message) || output.standardOutput.contains(message),
                "the output lacks \(message): \(output.standardError)\(output.standardOutput)")
        }
        if let key = bad.key {
            let text = String(decoding: bad.env, as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let number = try #require(lines.firstIndex { $0.hasPrefix(bad.marker ?? key) }) + 1
            #expect(
                output.standardError.contains(".env:\(number):") || output.standardOutput.contains(".env:\(number)"),
                "no .env:\(number): in \(output.standardError)\(output.standardOutput)")
        }
        if let secret = bad.secret {
            #expect(!output.standardError.contains(secret) && !output.standardOutput.contains(secret), "secret printed")
        }
        #expect(output.standardError.utf8.count < 20_000, "\(output.standardError.utf8.count) bytes of stderr")
    }

    @Test func aHundredThousandBadLinesPrintAFewAndACount() async throws {
        let root = try IntegrationSupport.copyOfCommittedFiles()
        defer { try? FileManager.default.removeItem(at: root) }
        let bad = String(repeating: "this line is wrong\n", count: 100_000)
        try (Self.example + bad).write(to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let output = try await Self.run(["render"], root: root)
        #expect(output.status == 2)
        #expect(output.standardError.contains("more problems are not shown"))
        #expect(output.standardError.utf8.count < 20_000, "\(output.standardError.utf8.count) bytes of stderr")
    }

    /// The settings file is not a regular file we can read: refused, with the reason, never the catalog defaults.
    @Test(arguments: ["folder", "fifo", "link to /dev/null", "link to /dev/zero", "dangling link", "unreadable"])
    func aSettingsFileThatIsNoRegularFileIsRefused(_ kind: String) async throws {
        if kind == "unreadable" && getuid() == 0 { return }  // root reads any file; run as another user to check it
        let root = try IntegrationSupport.copyOfCommittedFiles()
        defer { try? FileManager.default.removeItem(at: root) }
        let env = root.appendingPathComponent(".env")
        let expected: String
        switch kind {
        case "folder":
            try FileManager.default.createDirectory(at: env, withIntermediateDirectories: false)
            expected = "a folder"
        case "fifo":
            #expect(mkfifo(env.path, 0o600) == 0)
            expected = "FIFO"
        case "link to /dev/null":
            try FileManager.default.createSymbolicLink(at: env, withDestinationURL: URL(fileURLWithPath: "/dev/null"))
            expected = "character device"
        case "link to /dev/zero":
            try FileManager.default.createSymbolicLink(at: env, withDestinationURL: URL(fileURLWithPath: "/dev/zero"))
            expected = "character device"
        case "dangling link":
            try FileManager.default.createSymbolicLink(
                at: env, withDestinationURL: root.appendingPathComponent("nowhere"))
            expected = "does not exist"
        default:
            try "PUID=1000\n".write(to: env, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: env.path)
            expected = "Permission denied"
        }
        let before = FileTree.snapshot(root)
        for command in [["render"], ["check"]] {
            let output = try await Self.run(command, root: root)
            #expect(output.status == 2, "\(command): \(output.standardError)")
            let said = output.standardError + output.standardOutput
            #expect(said.contains(".env"), "\(said)")
            #expect(said.contains(expected), "\(command): \(said)")
            #expect(said.range(of: #"\.env:[0-9]"#, options: .regularExpression) == nil, "a line was invented: \(said)")
        }
        #expect(FileTree.snapshot(root) == before)
    }

    /// One hand-edited file stops the whole render: the others are not brought half up to date.
    @Test func aHandEditedFileStopsTheWholeRender() async throws {
        let root = try IntegrationSupport.copyOfCommittedFiles()
        defer { try? FileManager.default.removeItem(at: root) }
        // A user's render lives in deploy/; the hand edit is made there.
        let homepage = "homepage/services.yaml"
        try Self.example.write(to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let rendered = try await Self.run(["render"], root: root)
        #expect(rendered.status == 0, "\(rendered.standardError)")
        let edited = root.appendingPathComponent("deploy").appendingPathComponent(homepage)
        try (String(contentsOf: edited, encoding: .utf8) + "# my note\n").write(
            to: edited, atomically: true, encoding: .utf8)
        try String(decoding: Self.example("SONARR_PORT", "SONARR_PORT=18989"), as: UTF8.self).write(
            to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let before = FileTree.snapshot(root)
        let output = try await Self.run(["render"], root: root)
        #expect(output.status == 1)
        #expect(output.standardError.contains(homepage) && output.standardError.contains("nothing was written"))
        #expect(FileTree.snapshot(root) == before, "compose.yml was updated although homepage was edited")
        let forced = try await Self.run(["render", "--force"], root: root)
        #expect(forced.status == 0, "\(forced.standardError)")
        #expect(
            try String(contentsOf: root.appendingPathComponent("deploy/compose.yml"), encoding: .utf8).contains("18989")
        )
    }

    /// A CRLF `.env` (as a Windows editor saves it) renders exactly what the LF one does.
    @Test func aCRLFFileRendersLikeTheLFOne() async throws {
        var trees: [[String: String]] = []
        for ending in ["\n", "\r\n"] {
            let root = try IntegrationSupport.copyOfCommittedFiles()
            defer { try? FileManager.default.removeItem(at: root) }
            try Self.example.replacingOccurrences(of: "\n", with: ending).write(
                to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
            let output = try await Self.run(["render"], root: root)
            #expect(output.status == 0, "\(output.standardError)")
            try FileManager.default.removeItem(at: root.appendingPathComponent(".env"))
            trees.append(FileTree.contents(root))
        }
        #expect(trees[0].count > 20)
        #expect(trees[0] == trees[1])
    }

    /// A file render cannot replace stops the render before any file changes, and says which and why.
    @Test func anUnwritableTargetChangesNothing() async throws {
        let root = try IntegrationSupport.copyOfCommittedFiles()
        defer { try? FileManager.default.removeItem(at: root) }
        // A user's render lives in deploy/; one of its files is made unchangeable.
        try Self.example.write(to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let first = try await Self.run(["render"], root: root)
        #expect(first.status == 0, "\(first.standardError)")
        try String(decoding: Self.example("SONARR_PORT", "SONARR_PORT=18989"), as: UTF8.self).write(
            to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let locked = root.appendingPathComponent("deploy/homepage/services.yaml")
        try FileTree.chattr("+i", locked)
        defer { try? FileTree.chattr("-i", locked) }
        let before = FileTree.snapshot(root)
        let output = try await Self.run(["render"], root: root)
        #expect(output.status == 1)
        #expect(output.standardError.contains("homepage/services.yaml"), "\(output.standardError)")
        #expect(output.standardError.contains("nothing was changed"))
        #expect(!output.standardError.contains("NSCocoaErrorDomain"))
        #expect(FileTree.snapshot(root) == before, "compose.yml was written although homepage could not be")
    }

    /// Rendering an up-to-date checkout writes nothing, so it works where nothing may be written.
    @Test func anUpToDateReadOnlyCheckoutRenders() async throws {
        let root = try IntegrationSupport.copyOfCommittedFiles()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try await Self.run(["render", "--env-file", ".env.example"], root: root)
        #expect(first.status == 0, "\(first.standardError)")
        let before = FileTree.snapshot(root)
        let folders = [root, root.appendingPathComponent("backup")]
        for folder in folders { try FileTree.chattr("+i", folder) }
        defer { for folder in folders { try? FileTree.chattr("-i", folder) } }
        let again = try await Self.run(["render", "--env-file", ".env.example"], root: root)
        #expect(again.status == 0, "\(again.standardError)")
        #expect(FileTree.snapshot(root) == before)
    }
}
