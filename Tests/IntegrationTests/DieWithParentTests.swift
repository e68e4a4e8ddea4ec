import Foundation
import MediaStackOperations
import TestKit
import Testing

/// scripts/fixtures/die-with-parent, through which the tests start every server: whatever way the test run ends, the
/// server ends with it, so no server left behind holds a port against the next run.
@Suite("die-with-parent: a server cannot outlive the test run")
struct DieWithParentTests {
    static let script = IntegrationSupport.repositoryRoot.appendingPathComponent("scripts/fixtures/die-with-parent")
    /// A command that prints its pid and then waits for a long time, as a server does.
    static let server = ["sh", "-c", "echo $$; exec sleep 3600"]

    /// Gone: no such process, or a zombie nobody reaped (this machine's pid 1 may not reap orphans).
    static func gone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        return state == "Z"
    }

    /// Waits until `pid` is gone. The watcher looks once a second; `TestTime.startup` leaves a loaded machine room,
    /// and a command that outlives its parent stays for its full hour.
    static func waitUntilGone(_ pid: Int32) async throws -> Bool {
        for _ in 0..<TestTime.polls(every: .milliseconds(100)) {
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
        for _ in 0..<TestTime.polls(every: .milliseconds(100)) where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            left = Self.processes(holding: marker)
        }
        #expect(left.isEmpty, "processes of the script stayed behind: \(left)")
    }

    /// Runs the script from a process that blocks and ignores SIGTERM and holds a descriptor 7 open without
    /// close-on-exec, as a test process can: `python3 -c` sets that up, then execs the script (same pid).
    static let polluted = [
        "-c",
        """
        import os, signal, sys
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.dup2(os.open("/dev/null", os.O_RDONLY), 7)
        os.execv(sys.argv[1], sys.argv[1:])
        """,
        script.path,
    ]

    /// The bits of a `Sig…` mask line of /proc/PID/status, as signal numbers.
    static func signals(_ status: String, _ field: String) -> Set<Int32> {
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        let mask = UInt64(line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) ?? ~0
        return Set((1...64).filter { mask & (1 << UInt64($0 - 1)) != 0 }.map { Int32($0) })
    }

    @Test func theCommandStartsWithNoSignalBlockedAndOnlyItsStandardDescriptors() async throws {
        guard IntegrationSupport.tool("setpriv") != nil, let python = IntegrationSupport.tool("python3") else { return }
        // The command prints the signal lines of its own status, then its open descriptors (probed with fstat, which
        // opens none itself).
        let report = """
            import os
            print("".join(l for l in open("/proc/self/status") if l.startswith("Sig")), end="")
            def is_open(fd):
                try:
                    os.fstat(fd)
                    return True
                except OSError:
                    return False
            print("descriptors", *[fd for fd in range(1024) if is_open(fd)])
            """
        let output = try await SubprocessRunner().run(
            python, Self.polluted + [python, "-c", report], environment: IntegrationSupport.cleanEnvironment,
            workingDirectory: nil, timeout: TestTime.process)
        #expect(output.succeeded, "\(output.standardError)")
        let blocked = Self.signals(output.standardOutput, "SigBlk")
        let ignored = Self.signals(output.standardOutput, "SigIgn")
        #expect(blocked.isEmpty, "the command started with signals blocked: \(blocked.sorted())")
        #expect(!ignored.contains(SIGTERM) && !ignored.contains(SIGINT), "ignored: \(ignored.sorted())")
        let descriptors = output.standardOutput.split(separator: "\n").first { $0.hasPrefix("descriptors ") }
        #expect(descriptors == "descriptors 0 1 2", "\(descriptors ?? "no report")")
    }

    @Test func sigtermStopsTheCommandWhenTheTestProcessBlocksIt() async throws {
        guard IntegrationSupport.tool("setpriv") != nil, let python = IntegrationSupport.tool("python3") else { return }
        let (wrapper, _, server) = try Self.start(python, Self.polluted + Self.server)
        defer { if !Self.gone(server) { kill(server, SIGKILL) } }
        // The script passes SIGTERM on once its trap is set (SigCgt holds SIGTERM): sent before, it would end the
        // script by default action, and the command with it, which proves nothing.
        let status = "/proc/\(wrapper.processIdentifier)/status"
        for _ in 0..<TestTime.polls(every: .milliseconds(50)) {
            let text = (try? String(contentsOfFile: status, encoding: .utf8)) ?? ""
            if Self.signals(text, "SigCgt").contains(SIGTERM) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(wrapper.processIdentifier, SIGTERM)
        let stopped = try await Self.waitUntilGone(server)
        #expect(stopped, "SIGTERM to the script left its command running")
        guard stopped else {
            kill(wrapper.processIdentifier, SIGKILL)
            return
        }
        wrapper.waitUntilExit()
        #expect(wrapper.terminationStatus == 128 + SIGTERM, "the script exits with its command's status")
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
