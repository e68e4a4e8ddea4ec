import Foundation
import Testing

/// scripts/fixtures/die-with-parent, through which the tests start every server: whatever way the test run ends, the
/// server ends with it, so no server left behind holds a port against the next run.
@Suite("die-with-parent: a server cannot outlive the test run")
struct DieWithParentTests {
    static let script = IntegrationSupport.repositoryRoot.appendingPathComponent("scripts/fixtures/die-with-parent")
    /// A command that prints its pid and then waits for a long time, as a server does.
    static let server = ["sh", "-c", "echo $$; exec sleep 300"]

    /// Gone: no such process, or a zombie nobody reaped (this machine's pid 1 may not reap orphans).
    static func gone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        return state == "Z"
    }

    /// Waits until `pid` is gone. The watcher looks once a second; 20 s leaves a loaded machine room, and a
    /// command that outlives its parent stays for its full 300 s.
    static func waitUntilGone(_ pid: Int32) async throws -> Bool {
        for _ in 0..<200 {
            if gone(pid) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return gone(pid)
    }

    static func start(_ executable: String, _ arguments: [String]) throws -> (Process, Pipe, Int32) {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardInput = Pipe()
        try process.run()
        let line = IntegrationSupport.firstLine(of: output).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pid = Int32(line) else {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("the command did not print its pid: \(line)")
            throw CancellationError()
        }
        return (process, output, pid)
    }

    @Test func theCommandDiesWhenTheProcessThatStartedItIsKilled() async throws {
        guard IntegrationSupport.tool("setpriv") != nil else { return }
        // A shell stands in for the test run: it starts the server through the script, then is killed outright.
        let (run, _, server) = try Self.start(
            "/bin/bash", ["-c", "\"$0\" \"$@\" & wait", Self.script.path] + Self.server)
        defer { if !Self.gone(server) { kill(server, SIGKILL) } }
        #expect(!Self.gone(server))
        kill(run.processIdentifier, SIGKILL)
        #expect(try await Self.waitUntilGone(server), "the server outlived the run that started it")
    }

    @Test func theCommandDiesWhenTheScriptIsKilled() async throws {
        guard IntegrationSupport.tool("setpriv") != nil else { return }
        let (wrapper, _, server) = try Self.start(Self.script.path, Self.server)
        defer { if !Self.gone(server) { kill(server, SIGKILL) } }
        kill(wrapper.processIdentifier, SIGKILL)
        #expect(try await Self.waitUntilGone(server), "SIGKILL of the script left its command running")
    }

    /// The live processes (not zombies) whose command line holds `marker`.
    static func processes(holding marker: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(marker) && !gone(pid)
        }
    }

    @Test func nothingOfTheScriptStaysWhenItsParentNeverReapsIt() async throws {
        guard IntegrationSupport.tool("setpriv") != nil else { return }
        // The parent becomes `sleep`, which never reaps: the script, once its command is done, stays a zombie whose
        // parent has not changed. Its watcher must still end with the command.
        let marker = "die-with-parent-test-\(UUID().uuidString)"
        let (run, _, command) = try Self.start(
            "/bin/bash",
            ["-c", "\"$0\" sh -c 'echo $$; exec sleep 1' \"$1\" & exec sleep 30", Self.script.path, marker])
        defer { kill(run.processIdentifier, SIGKILL) }
        #expect(try await Self.waitUntilGone(command))
        var left = Self.processes(holding: marker)
        for _ in 0..<100 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            left = Self.processes(holding: marker)
        }
        #expect(left.isEmpty, "processes of the script stayed behind: \(left)")
    }

    @Test func theCommandsInputAndExitStatusPassThrough() async throws {
        guard IntegrationSupport.tool("setpriv") != nil else { return }
        let echo = Process()
        let input = Pipe()
        echo.executableURL = Self.script
        echo.arguments = ["sh", "-c", "read -r line && [ \"$line\" = ping ] && exit 3"]
        echo.standardInput = input
        try echo.run()
        input.fileHandleForWriting.write(Data("ping\n".utf8))
        try input.fileHandleForWriting.close()
        echo.waitUntilExit()
        #expect(echo.terminationStatus == 3, "stdin reaches the command and its exit status is the script's")
    }
}
