import Foundation
import MediaStack
import MediaStackOperations
import Testing

@Suite("Probe targets")
struct ProbeTargetTests {
    @Test func targetsFollowTheCatalogProbesAndSettings() throws {
        let stack = Stack(
            settings: try TestSupport.settings(overriding: ["LAN_IP": "192.168.1.10", "SONARR_PORT": "18989"]))
        let targets = ProbeTarget.targets(for: stack)
        func method(_ name: ServiceName) -> ProbeTarget.Method? { targets.first { $0.service == name }?.method }
        #expect(method("sonarr") == .http(url: URL(string: "http://192.168.1.10:18989/ping")!, expectedStatus: 200))
        #expect(method("plex") == .http(url: URL(string: "http://127.0.0.1:32400/identity")!, expectedStatus: 200))
        // Published on loopback only, whatever LAN_IP says.
        #expect(
            method("sab_exporter") == .http(url: URL(string: "http://127.0.0.1:9707/healthz")!, expectedStatus: 200))
        #expect(method("fail2ban") == .container(name: "fail2ban", command: ["fail2ban-client", "ping"]))
        #expect(method("recyclarr") == nil, "an on-demand tool is not probed")
        #expect(method("borgmatic") != nil)
    }

    @Test func aDisabledServiceIsNotProbed() throws {
        let stack = Stack(settings: try TestSupport.settings(overriding: ["DISABLED_SERVICES": "bazarr"]))
        #expect(!ProbeTarget.targets(for: stack).contains { $0.service == "bazarr" })
    }
}
