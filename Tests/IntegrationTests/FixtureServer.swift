import Foundation

/// A server a test starts (a Python fixture server, a contract fake, a registry), stated once: it runs through
/// scripts/fixtures/die-with-parent, so it dies with the test run, starts with no signal blocked and only its
/// standard descriptors; stdin is a pipe. A server that reports ready prints `ready PORT...` as its first line
/// (scripts/fixtures/fixture_server.py), read before the initializer returns. `stop()` closes stdin (fixture servers
/// exit on EOF), then sends SIGTERM, then SIGKILL, each after a grace period.
final class FixtureServer: @unchecked Sendable {
    let name: String
    let process = Process()
    private let input = Pipe()
    private let stopsOnEOF: Bool
    /// The ports of the `ready` line, in order (empty for a server that does not report ready).
    let ports: [Int]
    /// The first port.
    var port: Int { ports.first ?? 0 }

    /// Starts `executable` with `arguments`. With `readyPorts` > 0, waits for its `ready PORT...` line with that many
    /// ports; otherwise its output goes to `log` (or nowhere) and the caller checks readiness itself.
    init(
        _ name: String, _ executable: String, _ arguments: [String], readyPorts: Int = 1, stopsOnEOF: Bool = true,
        environment: [String: String]? = nil, log: FileHandle? = nil
    ) throws {
        self.name = name
        self.stopsOnEOF = stopsOnEOF
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = input
        let output = Pipe()
        process.standardOutput = readyPorts > 0 ? output : (log ?? FileHandle.nullDevice)
        process.standardError = log ?? FileHandle.standardError
        IntegrationSupport.diesWithTestRun(process)
        try process.run()
        guard readyPorts > 0 else {
            ports = []
            return
        }
        let line = IntegrationSupport.firstLine(of: output)
        let words = line.split(whereSeparator: \.isWhitespace)
        ports = words.first == "ready" ? words.dropFirst().compactMap { Int($0) } : []
        guard ports.count == readyPorts else {
            stop()
            throw LabError("the \(name) did not start: \(line)")
        }
    }

    /// A Python fixture server of this repository (`script` relative to its root), reporting `readyPorts` ports.
    static func python(_ name: String, _ script: String, _ arguments: [String], readyPorts: Int = 1) throws
        -> FixtureServer
    {
        try FixtureServer(
            name, "/usr/bin/env",
            ["python3", IntegrationSupport.repositoryRoot.appendingPathComponent(script).path] + arguments,
            readyPorts: readyPorts)
    }

    var isRunning: Bool { process.isRunning }

    /// Closes stdin and waits 3 s (a server that stops on EOF), then SIGTERM and 3 s, then SIGKILL.
    func stop() {
        guard process.isRunning else { return }
        if stopsOnEOF {
            try? input.fileHandleForWriting.close()
            wait(seconds: 3)
        }
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        wait(seconds: 3)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        wait(seconds: 2)
    }

    private func wait(seconds: Int) {
        for _ in 0..<(seconds * 20) where process.isRunning { usleep(50_000) }
    }

    deinit { stop() }
}
