import Foundation
import MediaStack
import Testing

@testable import MediaStackOperations

@Suite("Compose ps parsing")
struct ComposeDriverTests {
    @Test func bothShapesOfComposePSAreRead() {
        let lines = """
            {"Name":"sonarr","Service":"sonarr","State":"running","Health":"healthy"}
            {"Name":"radarr","Service":"radarr","State":"running","Health":"starting"}
            """
        let array = """
            [{"Name":"fail2ban","Service":"fail2ban","State":"exited","Health":""}]
            """
        let parsed = ComposeDriver.parsePS(lines, stack: .core)
        #expect(parsed.map(\.service) == ["radarr", "sonarr"])
        #expect(parsed.map(\.isReady) == [false, true])
        let exited = ComposeDriver.parsePS(array, stack: .core)
        #expect(exited.first?.state == "exited" && exited.first?.isReady == false)
    }

    @Test func hostDirectoriesBelongToTheServiceThatWritesThem() throws {
        let stack = Stack(settings: try TestSupport.settings(overriding: ["PUID": "1500", "PGID": "1600"]))
        let entries = HostDirectories(stack: stack).entries()
        func entry(_ path: String) -> HostDirectories.Entry? { entries.first { $0.path == path } }
        #expect(entry("/opt/mediaserver/sonarr")?.uid == 1500)
        #expect(entry("/opt/mediaserver/jellyseerr")?.uid == 1000, "Seerr runs as node (1000)")
        // fail2ban mounts sonarr's log folder, but sonarr writes it.
        #expect(entry("/opt/mediaserver/sonarr/logs")?.uid == 1500)
        #expect(entry("/mnt/storage/data/media/tv")?.gid == 1600)
        #expect(entry("/mnt/backup/mediaserver")?.uid == nil)
    }

    @Test(arguments: [
        ("Docker Compose version v2.29.1\n", 2), ("Docker Compose version v5.6.1\n", 5),
        ("Docker Compose version 2.20.2+ds1-0ubuntu1~22.04.1\n", 2),
        ("docker-compose version 1.29.2, build 5becea4c\n", 1), ("no version here", nil),
    ])
    func composeMajorVersion(output: String, major: Int?) {
        #expect(ComposeCLI.majorVersion(output) == major)
    }

    /// Records each command and answers as the engine does: success, or Compose's refusal.
    final class RecordingRunner: ProcessRunning, @unchecked Sendable {
        let lock = NSLock()
        var calls: [[String]] = []
        let status: Int32

        init(status: Int32 = 0) { self.status = status }

        func run(
            _ executable: String, _ arguments: [String], environment: [String: String]?, workingDirectory: String?,
            timeout: Int
        ) async throws -> ProcessOutput {
            lock.withLock { calls.append([executable] + arguments) }
            return ProcessOutput(
                arguments: arguments, status: status, standardOutput: "",
                standardError: status == 0 ? "" : "no such service: tautulli")
        }
    }

    @Test func tautulliIsStoppedAndStartedInItsOwnStack() async throws {
        let stack = Stack(settings: try TestSupport.settings(overriding: [:]))
        let runner = RecordingRunner()
        let driver = ComposeDriver(
            cli: ComposeCLI(prefix: ["docker", "compose"]), runner: runner, root: URL(fileURLWithPath: "/srv/ms"),
            envFile: "/srv/ms/.env")
        let containers = ComposeWiringContainers(stack: stack, driver: driver)
        try await containers.stop(.tautulli)
        try await containers.start(.tautulli)
        let prefix = [
            "docker", "compose", "-p", StackID.core.projectName, "--env-file", "/srv/ms/.env", "-f", "compose.yml",
        ]
        #expect(runner.calls == [prefix + ["stop", "tautulli"], prefix + ["start", "tautulli"]])
    }

    @Test func aRefusedStopIsTheAppsFailureWithComposesWords() async throws {
        let stack = Stack(settings: try TestSupport.settings(overriding: [:]))
        let driver = ComposeDriver(
            cli: ComposeCLI(prefix: ["docker", "compose"]), runner: RecordingRunner(status: 1),
            root: URL(fileURLWithPath: "/srv/ms"), envFile: "/srv/ms/.env")
        do {
            try await ComposeWiringContainers(stack: stack, driver: driver).stop(.tautulli)
            Issue.record("a refused stop was taken for done")
        } catch {
            #expect(error.app == .tautulli)
            #expect(error.call == "docker compose stop tautulli")
            #expect(error.description.contains("no such service: tautulli"))
        }
    }
}
