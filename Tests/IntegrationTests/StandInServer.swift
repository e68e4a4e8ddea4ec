import Foundation
import Testing

/// Real HTTP servers on loopback (scripts/fixtures/http_stand_in.py), each on a port the kernel picks free, so two
/// test runs on one machine never meet; stopped by closing their stdin, and dying with the test run.
final class StandInServer: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    /// The ports the servers listen on, in order.
    let ports: [Int]
    /// The first server's port.
    var port: Int { ports[0] }

    init(count: Int = 1, delay: Double = 0, status: Int = 200, address: String = "127.0.0.1") throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3",
            IntegrationSupport.repositoryRoot.appendingPathComponent("scripts/fixtures/http_stand_in.py").path,
            "0", String(count), String(delay), String(status), address,
        ]
        process.standardInput = input
        process.standardOutput = output
        IntegrationSupport.diesWithTestRun(process)
        try process.run()
        // Wait for "ready PORT...": every port listens.
        let line = IntegrationSupport.firstLine(of: output)
        let words = line.split(whereSeparator: \.isWhitespace)
        ports = words.first == "ready" ? words.dropFirst().compactMap { Int($0) } : []
        guard ports.count == count else {
            stop()
            Issue.record("the HTTP stand-in did not start: \(line)")
            throw CancellationError()
        }
    }

    /// Closes the server's stdin (it exits on EOF), then kills it if it is still there after 3 s. Signals alone are
    /// unreliable here: children of the test process can inherit a mask that blocks SIGTERM.
    func stop() {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.close()
        for _ in 0..<60 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for _ in 0..<40 where process.isRunning { usleep(50_000) }
    }

    deinit { stop() }
}
