import Foundation
import MediaStack
import MediaStackOperations
import TestKit
import Testing

/// `mediaserver up` as a new user runs it: in a fresh copy of the repository, with no `.env` and no `deploy/`, the
/// default roots moved under a scratch folder (`MEDIASERVER_ROOT_PREFIX`, as `init --root-prefix` does), so the
/// whole first run happens here without creating a folder under /opt or /mnt.
@Suite("up on a fresh clone")
struct FreshCloneUpTests {
    /// Every file git tracks in the repository, as the working tree has it: what a clone of it holds.
    static func freshCopy() async throws -> URL {
        let git = try #require(IntegrationSupport.tool("git"))
        let listing = try await IntegrationSupport.run(
            git, ["-C", IntegrationSupport.repositoryRoot.path, "ls-files", "-z"])
        try #require(listing.succeeded, "\(listing.standardError)")
        let copy = try IntegrationSupport.scratchCheckout()
        for path in listing.standardOutput.split(separator: "\0").map(String.init) {
            let source = IntegrationSupport.repositoryRoot.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: source.path) else { continue }
            let target = copy.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: source, to: target)
        }
        return copy
    }

    /// The files under `folder`, relative to it, with their contents.
    static func files(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let url = folder.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            files[path] = FileManager.default.contents(atPath: url.path)
        }
        return files
    }

    @Test(
        "init writes .env (0600) with the roots under the prefix, render fills deploy/, folders are made there only, then the engine's error"
    )
    func upFromAFreshCloneStopsAtTheEngine() async throws {
        let clone = try await Self.freshCopy()
        let prefix = try IntegrationSupport.scratchCheckout()
        defer {
            try? FileManager.default.removeItem(at: clone)
            try? FileManager.default.removeItem(at: prefix)
        }
        let before = try Self.files(clone)
        #expect(before[".env.example"] != nil && before["compose.yml"] != nil)
        #expect(before[".env"] == nil && before["deploy/compose.yml"] == nil)

        // A docker that answers the checks and starts nothing: `up` gets as far as asking Compose to start.
        let docker = try UpCommandTests.dockerThatStartsNothing()
        defer { try? FileManager.default.removeItem(at: docker) }
        let environment = IntegrationSupport.cleanEnvironment.merging([
            "PATH": docker.path + ":" + (IntegrationSupport.cleanEnvironment["PATH"] ?? ""),
            EnvInitializer.rootPrefixVariable: prefix.path,
            // A fixed user, as under sudo: the folders get an owner other than the one running the test.
            "SUDO_UID": "1000", "SUDO_GID": "1000",
        ]) { $1 }
        // From inside the clone, with no --root: as the README says to run it.
        let output = try await SubprocessRunner().run(
            try IntegrationSupport.executable(), ["up", "--no-wire", "--timeout", "5"], environment: environment,
            workingDirectory: clone.path, timeout: TestTime.longProcess)
        let stderr = output.standardError

        // The engine call is where it stops, with Compose's own error and no start.
        #expect(output.status == 1, "\(stderr)")
        #expect(stderr.contains("up -d") && stderr.contains("this docker starts nothing"), "\(stderr)")
        #expect(!stderr.contains("every service is healthy"))

        // init: .env, mode 0600, the roots under the prefix.
        let env = clone.appendingPathComponent(".env")
        let mode = try FileManager.default.attributesOfItem(atPath: env.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(stderr.contains("no .env yet: writing one"), "\(stderr)")
        let settings = try SettingsLoader(root: clone, environment: [:]).load(".env")
        #expect(settings[.configRoot] == prefix.path + "/opt/mediaserver")
        #expect(settings[.dataRoot] == prefix.path + "/mnt/storage/data")
        #expect(settings[.backupRoot] == prefix.path + "/mnt/backup/mediaserver")

        // render: into deploy/, and nothing else of the clone changed but .env.
        let after = try Self.files(clone)
        let added = Set(after.keys).subtracting(before.keys)
        #expect(added.contains(".env") && added.contains("deploy/compose.yml") && added.contains("deploy/.env"))
        #expect(added.allSatisfy { $0 == ".env" || $0.hasPrefix("deploy/") }, "\(added.sorted())")
        for (path, data) in before { #expect(after[path] == data, "\(path) of the clone changed") }

        // The folders: every one the stack mounts exists, under the prefix, owned by the user of .env.
        let entries = HostDirectories(stack: Stack(settings: settings)).entries()
        #expect(entries.count > 20)
        for entry in entries {
            #expect(entry.path.hasPrefix(prefix.path + "/"), "\(entry.path) is outside the test root")
            #expect(FileManager.default.fileExists(atPath: entry.path), "\(entry.path) was not created")
        }
        let sonarr = try FileManager.default.attributesOfItem(atPath: settings[.configRoot] + "/sonarr")
        #expect((sonarr[.ownerAccountID] as? NSNumber)?.intValue == 1000)
        let created = try #require(stderr.split(separator: "\n").first { $0.hasPrefix("created ") })
        let tops = try #require(created.components(separatedBy: " under ").last).components(separatedBy: ", ")
        #expect(tops.count == 3 && tops.allSatisfy { $0.hasPrefix(prefix.path + "/") }, "\(created)")
    }

    /// `init --root-prefix` moves only the defaults: a root given as a flag stays as given, and a prefix that is
    /// not absolute is refused, as an option (usage) and from the environment (nothing written).
    @Test func rootPrefixMovesTheDefaultRootsOnly() async throws {
        let checkout = try IntegrationSupport.scratchCheckout()
        defer { try? FileManager.default.removeItem(at: checkout) }
        let common = ["init", "--yes", "--root", checkout.path, "--lan-ip", "127.0.0.1"]
        let written = try await IntegrationSupport.mediaserver(
            common + ["--root-prefix", "/srv/trial/", "--data-root", "/tank/media"])
        #expect(written.status == 0, "\(written.standardError)")
        let settings = try SettingsLoader(root: checkout, environment: [:]).load(".env")
        #expect(settings[.configRoot] == "/srv/trial/opt/mediaserver")
        #expect(settings[.backupRoot] == "/srv/trial/mnt/backup/mediaserver")
        #expect(settings[.dataRoot] == "/tank/media")

        let relative = try await IntegrationSupport.mediaserver(common + ["--force", "--root-prefix", "trial"])
        #expect(relative.status == 64)
        #expect(relative.standardError.contains("--root-prefix must be an absolute path"), "\(relative.standardError)")
        let fromEnvironment = try await IntegrationSupport.mediaserver(
            common + ["--force"], environment: [EnvInitializer.rootPrefixVariable: "trial"])
        #expect(fromEnvironment.status == 1)
        #expect(
            fromEnvironment.standardError.contains(
                "\(EnvInitializer.rootPrefixVariable) trial is not an absolute path"),
            "\(fromEnvironment.standardError)")
        #expect(try SettingsLoader(root: checkout, environment: [:]).load(".env")[.configRoot] == settings[.configRoot])
    }
}
