import Foundation
import MediaStackOperations
import Testing

/// A user's render lives in the git-ignored deploy/: `git pull` works on a clone with one, and the committed files
/// are judged against .env.example whatever .env says.
@Suite("Where a user's render lives")
struct DeploymentLayoutTests {
    /// Every committed stack file (each path the render manifest lists), .env.example and the manifest.
    static func committedFiles() throws -> URL {
        let root = try IntegrationSupport.scratchCheckout()
        let source = IntegrationSupport.repositoryRoot
        let manifest = try JSONDecoder().decode(
            [String: String].self,
            from: Data(contentsOf: source.appendingPathComponent(RenderWriter.manifestPath)))
        for path in Set(manifest.keys).union([RenderWriter.manifestPath, ".env.example"]).sorted() {
            let target = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: source.appendingPathComponent(path), to: target)
        }
        return root
    }

    /// An upstream repository holding the committed files, and a clone of it.
    static func upstreamAndClone(_ git: String) async throws -> (upstream: URL, clone: URL) {
        let upstream = try Self.committedFiles()
        try FileManager.default.copyItem(
            at: IntegrationSupport.repositoryRoot.appendingPathComponent(".gitignore"),
            to: upstream.appendingPathComponent(".gitignore"))
        for arguments in [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "stack files"]] {
            try await run(git, arguments, in: upstream)
        }
        let clone = upstream.deletingLastPathComponent().appendingPathComponent(upstream.lastPathComponent + "-clone")
        try await run(git, ["clone", "-q", upstream.path, clone.path], in: upstream)
        let settings = try IntegrationSupport.exampleSettings(overriding: [
            "SONARR_PORT": "18989", "DISABLED_SERVICES": "plex,overseerr,tautulli",
        ])
        try settings.write(to: clone.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        return (upstream, clone)
    }

    @discardableResult
    static func run(_ git: String, _ arguments: [String], in folder: URL, expect status: Int32 = 0) async throws
        -> ProcessOutput
    {
        let output = try await IntegrationSupport.run(
            git, ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "pull.rebase=false"] + arguments,
            in: folder)
        #expect(output.status == status, "git \(arguments.joined(separator: " ")): \(output.standardError)")
        return output
    }

    /// A new upstream commit that changes compose.yml, as a release does.
    static func releaseUpstream(_ git: String, _ upstream: URL) async throws {
        let compose = upstream.appendingPathComponent("compose.yml")
        try (try String(contentsOf: compose, encoding: .utf8) + "# a new release\n").write(
            to: compose, atomically: true, encoding: .utf8)
        try await run(git, ["commit", "-q", "-am", "release"], in: upstream)
    }

    @Test func gitPullWorksOnACloneWithAUsersRender() async throws {
        guard let git = IntegrationSupport.tool("git") else { return }
        let (upstream, clone) = try await Self.upstreamAndClone(git)
        let render = try await IntegrationSupport.mediaserver(["render", "--root", clone.path])
        #expect(render.status == 0, "\(render.standardError)")
        let compose = try String(contentsOf: clone.appendingPathComponent("deploy/compose.yml"), encoding: .utf8)
        #expect(compose.contains(":18989:8989") && !compose.contains("  plex:"))
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: clone.appendingPathComponent("deploy/.env").path)
                == "../.env")
        let status = try await Self.run(git, ["status", "--porcelain"], in: clone)
        #expect(status.standardOutput.isEmpty, "the render dirtied the checkout: \(status.standardOutput)")
        try await Self.releaseUpstream(git, upstream)
        try await Self.run(git, ["pull", "-q"], in: clone)
        #expect(
            try String(contentsOf: clone.appendingPathComponent("compose.yml"), encoding: .utf8).hasSuffix(
                "# a new release\n"))
    }

    @Test func migrateMovesARenderAtTheRootIntoDeploy() async throws {
        guard let git = IntegrationSupport.tool("git") else { return }
        let (upstream, clone) = try await Self.upstreamAndClone(git)
        // What an earlier version left: the render of .env over the committed files, and one hand edit on top.
        let render = try await IntegrationSupport.mediaserver(["render", "--root", clone.path])
        try #require(render.status == 0, "\(render.standardError)")
        let deploy = clone.appendingPathComponent("deploy")
        let manager = FileManager.default
        for path in try manager.subpathsOfDirectory(atPath: deploy.path) {
            var isDirectory: ObjCBool = false
            manager.fileExists(atPath: deploy.appendingPathComponent(path).path, isDirectory: &isDirectory)
            guard !isDirectory.boolValue, path != ".env" else { continue }
            let target = clone.appendingPathComponent(path)
            try? manager.removeItem(at: target)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try manager.copyItem(at: deploy.appendingPathComponent(path), to: target)
        }
        try manager.removeItem(at: deploy)
        let css = clone.appendingPathComponent("homepage/custom.css")
        try (try String(contentsOf: css, encoding: .utf8) + "body { color: teal; }\n").write(
            to: css, atomically: true, encoding: .utf8)
        try await Self.releaseUpstream(git, upstream)
        let blocked = try await Self.run(git, ["pull", "-q"], in: clone, expect: 1)
        #expect(blocked.standardError.contains("would be overwritten by merge"))

        let migrate = try await IntegrationSupport.mediaserver(["migrate", "--root", clone.path])
        #expect(migrate.status == 0, "\(migrate.standardError)")
        let moved = migrate.standardOutput.split(separator: "\n").map(String.init)
        #expect(moved.contains("moved: compose.yml → deploy/compose.yml"))
        #expect(
            moved.contains("moved: homepage/custom.css → deploy/homepage/custom.css (your hand edit, kept as it is)"))
        #expect(!moved.contains { $0.contains(".env.example") })
        let status = try await Self.run(git, ["status", "--porcelain"], in: clone)
        #expect(status.standardOutput.isEmpty, "still dirty after migrate: \(status.standardOutput)")
        try await Self.run(git, ["pull", "-q"], in: clone)
        #expect(
            try String(contentsOf: deploy.appendingPathComponent("compose.yml"), encoding: .utf8).contains(
                ":18989:8989"))
        #expect(
            try String(contentsOf: deploy.appendingPathComponent("homepage/custom.css"), encoding: .utf8)
                .hasSuffix("body { color: teal; }\n"))
        // render refuses to replace the carried hand edit, names it and writes nothing.
        let again = try await IntegrationSupport.mediaserver(["render", "--root", clone.path])
        #expect(again.status == 1)
        #expect(
            again.standardError.contains("homepage/custom.css") && again.standardError.contains("nothing was written"),
            "\(again.standardError)")
    }

    @Test func theSuiteJudgesTheCommittedFilesAgainstEnvExampleEvenWithAnEnv() async throws {
        let root = try Self.committedFiles()
        try IntegrationSupport.exampleSettings(overriding: ["SONARR_PORT": "18989"]).write(
            to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let committed = try await IntegrationSupport.mediaserver(
            ["render", "--check", "--root", root.path, "--env-file", ".env.example"])
        #expect(committed.status == 0, "\(committed.standardOutput)")
        // The user's render is judged in deploy/, which does not exist yet.
        let user = try await IntegrationSupport.mediaserver(["render", "--check", "--root", root.path])
        #expect(user.status == 1)
        #expect(user.standardOutput.contains("compose.yml: differs from a fresh render (create)"))
        let down = try await IntegrationSupport.mediaserver(["ps", "--root", root.path])
        #expect(down.status == 1)
        #expect(down.standardError.contains("has no render in deploy/ yet"))
    }
}
