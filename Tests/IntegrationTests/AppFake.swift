import Foundation
import MediaStackOperations
import Testing

/// One contract fake of an app's API (scripts/e2e/standin/fakes.py) on a free loopback port, stopped by closing its
/// stdin (children of the test process can inherit a mask that blocks SIGTERM), and dying with the test run.
final class AppFake: @unchecked Sendable {
    let app: String
    let apiKey: String?
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    private(set) var port = 0

    init(_ app: String, apiKey: String?, fsRoot: URL, port: Int = 0, extra: [String] = []) throws {
        self.app = app
        self.apiKey = apiKey
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "python3",
                IntegrationSupport.repositoryRoot.appendingPathComponent("scripts/e2e/standin/fakes.py").path,
                "--app", app, "--port", String(port), "--fs-root", fsRoot.path, "--exit-on-eof",
            ] + (apiKey.map { ["--api-key", $0] } ?? []) + extra
        process.standardInput = input
        process.standardOutput = output
        IntegrationSupport.diesWithTestRun(process)
        try process.run()
        // "listening on 127.0.0.1:PORT"
        let line = IntegrationSupport.firstLine(of: output)
        guard let text = line.split(separator: ":").last,
            let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            stop()
            Issue.record("the \(app) fake did not start: \(line)")
            throw CancellationError()
        }
        self.port = port
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// One call, authenticated as the app expects.
    func call(_ method: String, _ path: String, body: WireJSON? = nil, token: String? = nil) async throws
        -> WiringResponse
    {
        var headers: [String: String] = [:]
        if let apiKey { headers["X-Api-Key"] = apiKey }
        if let token { headers["Authorization"] = "MediaBrowser Token=\"\(token)\"" }
        return try await URLSessionWiringTransport().send(
            WiringRequest(method, path, headers: headers, body: body), to: url, timeout: .seconds(10))
    }

    /// The JSON list a GET returns.
    func list(_ path: String, token: String? = nil) async throws -> [WireJSON] {
        let response = try await call("GET", path, token: token)
        #expect(response.status == 200, "GET \(path) on the \(app) fake answered \(response.status)")
        return response.json?.array ?? []
    }

    func stop() {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.close()
        for _ in 0..<60 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for _ in 0..<40 where process.isRunning { usleep(50_000) }
    }

    deinit { stop() }
}
