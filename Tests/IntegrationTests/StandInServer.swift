import Foundation
import Testing

/// Real HTTP servers on loopback (scripts/fixtures/http_stand_in.py), stopped by their pid.
final class StandInServer: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    let basePort: Int

    init(basePort: Int, count: Int, delay: Double = 0, status: Int = 200, address: String = "127.0.0.1") throws {
        self.basePort = basePort
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3",
            IntegrationSupport.repositoryRoot.appendingPathComponent("scripts/fixtures/http_stand_in.py").path,
            String(basePort), String(count), String(delay), String(status), address,
        ]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // Wait for "ready": every port listens.
        let line = output.fileHandleForReading.availableData
        guard String(decoding: line, as: UTF8.self).contains("ready") else {
            stop()
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
