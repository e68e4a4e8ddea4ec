import Foundation
import MediaStack
import MediaStackOperations
import TestKit
import Testing

@Suite("Health probes against real HTTP servers", .serialized)
struct HealthIntegrationTests {
    func target(_ name: ServiceName, _ port: Int, _ path: String = "/ping") -> ProbeTarget {
        ProbeTarget(
            service: name, method: .http(url: URL(string: "http://127.0.0.1:\(port)\(path)")!, expectedStatus: 200))
    }

    @Test func upThenDownWhenTheServerStops() async throws {
        let server = try StandInServer(count: 2)
        let closed = try ReservedPort()
        let targets = [
            target("sonarr", server.ports[0]), target("radarr", server.ports[1]), target("prowlarr", closed.port),
        ]
        let run = HealthCheckRun(prober: HealthProber(), timeout: TestTime.request)
        let first = await run.run(targets)
        #expect(first.map(\.state) == [.up, .up, .down])
        #expect(first[2].detail == "connection refused", "\(first[2].detail)")
        server.stop()
        let second = await run.run(targets)
        #expect(second.map(\.state) == [.down, .down, .down])
    }

    @Test func aWrongStatusIsDown() async throws {
        let server = try StandInServer(status: 503)
        defer { server.stop() }
        let outcome = await HealthProber().probe(target("bazarr", server.port), timeout: TestTime.request)
        #expect(outcome.state == .down)
        #expect(outcome.detail == "HTTP 503")
    }

    @Test func aSlowServerTimesOutWithinItsOwnTimeout() async throws {
        // The server answers 200 after 60 s; the probe's own timeout is 1 s. The probe must give up and say it timed
        // out: a probe that waited for the answer would say the app is up. No clock is read: that is the whole check.
        let server = try StandInServer(delay: 60)
        defer { server.stop() }
        let outcome = await HealthProber().probe(target("tautulli", server.port, "/status"), timeout: .seconds(1))
        #expect(outcome.state == .down)
        #expect(outcome.detail == "timed out after 1 s", "\(outcome.detail)")
    }

    @Test func theHealthCommandNamesWhatIsDown() async throws {
        // sonarr's published port answers; radarr's is held closed by this test. Both are free ports set through
        // the settings the product reads (SONARR_PORT, RADARR_PORT), never the catalog's defaults, which a second
        // test run or a real Radarr on this machine may hold.
        let server = try StandInServer()
        defer { server.stop() }
        let closed = try ReservedPort()
        let root = try IntegrationSupport.scratchCheckout(
            env: try IntegrationSupport.exampleSettings(overriding: [
                "SONARR_PORT": String(server.port), "RADARR_PORT": String(closed.port),
            ]))
        let output = try await IntegrationSupport.mediaserver(
            [
                "health", "--root", root.path, "--json", "--timeout", String(TestTime.wholeSeconds(TestTime.request)),
                "--service", "sonarr", "--service", "radarr",
            ])
        #expect(output.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        let services = report?["services"] as? [[String: Any]] ?? []
        #expect(services.first { $0["service"] as? String == "sonarr" }?["state"] as? String == "up")
        #expect(services.first { $0["service"] as? String == "radarr" }?["state"] as? String == "down")
    }
}
