import Foundation

/// Real HTTP servers on loopback (scripts/fixtures/http_stand_in.py), each on a port the kernel picks free, so two
/// test runs on one machine never meet; started and stopped as every fixture server (`FixtureServer`).
final class StandInServer: @unchecked Sendable {
    let server: FixtureServer
    /// The ports the servers listen on, in order.
    var ports: [Int] { server.ports }
    /// The first server's port.
    var port: Int { server.port }

    init(count: Int = 1, delay: Double = 0, status: Int = 200, address: String = "127.0.0.1") throws {
        server = try FixtureServer.python(
            "HTTP stand-in", "scripts/fixtures/http_stand_in.py",
            ["0", String(count), String(delay), String(status), address], readyPorts: count)
    }

    func stop() { server.stop() }
}
