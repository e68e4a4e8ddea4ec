import Foundation
import MediaStackOperations
import TestKit
import Testing

/// One contract fake of an app's API (scripts/e2e/standin/fakes.py) on a free loopback port, started and stopped as
/// every fixture server (`FixtureServer`).
final class AppFake: @unchecked Sendable {
    let app: String
    let apiKey: String?
    let server: FixtureServer
    var port: Int { server.port }

    init(_ app: String, apiKey: String?, fsRoot: URL, port: Int = 0, extra: [String] = []) throws {
        self.app = app
        self.apiKey = apiKey
        server = try FixtureServer.python(
            "\(app) fake", "scripts/e2e/standin/fakes.py",
            ["--app", app, "--port", String(port), "--fs-root", fsRoot.path, "--exit-on-eof"]
                + (apiKey.map { ["--api-key", $0] } ?? []) + extra)
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
            WiringRequest(method, path, headers: headers, body: body), to: url, timeout: TestTime.request)
    }

    /// The JSON list a GET returns.
    func list(_ path: String, token: String? = nil) async throws -> [WireJSON] {
        let response = try await call("GET", path, token: token)
        #expect(response.status == 200, "GET \(path) on the \(app) fake answered \(response.status)")
        return response.json?.array ?? []
    }

    func stop() { server.stop() }
}
