import Foundation
import MediaStack
import MediaStackOperations
import Testing

@Suite("Health probes against real HTTP servers", .serialized)
struct HealthIntegrationTests {
    func target(_ name: ServiceName, _ port: Int, _ path: String = "/ping") -> ProbeTarget {
        ProbeTarget(
            service: name, method: .http(url: URL(string: "http://127.0.0.1:\(port)\(path)")!, expectedStatus: 200))
    }

    @Test func upThenDownWhenTheServerStops() async throws {
        let server = try StandInServer(basePort: 18_610, count: 2)
        let targets = [target("sonarr", 18_610), target("radarr", 18_611), target("prowlarr", 18_619)]
        let run = HealthCheckRun(prober: HealthProber(), timeout: .seconds(2))
        let first = await run.run(targets)
        #expect(first.map(\.state) == [.up, .up, .down])
        #expect(first[2].detail == "connection refused", "\(first[2].detail)")
        server.stop()
        let second = await run.run(targets)
        #expect(second.map(\.state) == [.down, .down, .down])
    }

    @Test func aWrongStatusIsDown() async throws {
        let server = try StandInServer(basePort: 18_620, count: 1, status: 503)
        defer { server.stop() }
        let outcome = await HealthProber().probe(target("bazarr", 18_620), timeout: .seconds(2))
        #expect(outcome.state == .down)
        #expect(outcome.detail == "HTTP 503")
    }

    @Test func aSlowServerTimesOutWithinItsOwnTimeout() async throws {
        let server = try StandInServer(basePort: 18_630, count: 1, delay: 3)
        defer { server.stop() }
        let outcome = await HealthProber().probe(target("tautulli", 18_630, "/status"), timeout: .seconds(1))
        #expect(outcome.state == .down)
        #expect(outcome.milliseconds < 2_900, "the probe waited for the server instead of its own timeout")
    }

    @Test func theHealthCommandNamesWhatIsDown() async throws {
        // sonarr's published port answers; every other enabled service is down.
        let server = try StandInServer(basePort: 18_640, count: 1)
        defer { server.stop() }
        let root = try IntegrationSupport.scratchCheckout(
            env: try IntegrationSupport.exampleSettings(overriding: ["SONARR_PORT": "18640"]))
        let output = try await IntegrationSupport.mediaserver(
            ["health", "--root", root.path, "--json", "--timeout", "2", "--service", "sonarr", "--service", "radarr"])
        #expect(output.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        let services = report?["services"] as? [[String: Any]] ?? []
        #expect(services.first { $0["service"] as? String == "sonarr" }?["state"] as? String == "up")
        #expect(services.first { $0["service"] as? String == "radarr" }?["state"] as? String == "down")
    }
}
