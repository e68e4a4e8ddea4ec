import Foundation
import MediaStack

/// What `mediaserver health` asks of one service, derived from the same `HealthProbe` the compose healthcheck and
/// the Blackbox target come from.
public struct ProbeTarget: Sendable, Hashable {
    public enum Method: Sendable, Hashable {
        /// GET `url` from the host; healthy when the status equals `expectedStatus`.
        case http(url: URL, expectedStatus: Int)
        /// Ask Docker for the container's own healthcheck state (command probes such as `fail2ban-client ping`).
        case container(name: String, command: [String])
    }

    public let service: ServiceName
    public let method: Method

    public init(service: ServiceName, method: Method) {
        self.service = service
        self.method = method
    }

    /// One target per enabled long-running service with a probe. HTTP probes go to the published port on
    /// `LAN_IP` (host-network services: loopback), so they test the path a user takes.
    public static func targets(for stack: Stack) -> [ProbeTarget] {
        stack.services.compactMap { service -> ProbeTarget? in
            guard service.isLongRunning, let health = service.health else { return nil }
            switch health.kind {
            case .http(let path, _, let status, _):
                // The probe asks the service's one port, so it is where the service publishes it; a port the
                // catalog declares unpublished is reached only inside the engine, where Docker runs the same probe.
                guard let (hostName, hostPort) = hostAddress(of: service, in: stack) else {
                    return ProbeTarget(
                        service: service.name, method: .container(name: service.containerName, command: []))
                }
                guard let url = URL(string: "http://\(hostName):\(hostPort)\(path)") else { return nil }
                return ProbeTarget(service: service.name, method: .http(url: url, expectedStatus: status))
            case .command(let arguments):
                return ProbeTarget(
                    service: service.name, method: .container(name: service.containerName, command: arguments))
            }
        }
    }

    /// Where this host reaches `service`, as a user does: a host-network service on loopback at its HTTP health
    /// port; any other at its first published port, on 127.0.0.1 when that port is published only there (declared
    /// so, or behind the front door), else on `LAN_IP`. Nil when the service publishes no port: it is reached only
    /// inside the engine. `mediaserver health` and `mediaserver wire` both go this way.
    public static func hostAddress(of service: Service, in stack: Stack) -> (host: String, port: MediaStack.Port)? {
        if service.usesHostNetwork {
            guard let port = service.health?.http?.port else { return nil }
            return ("127.0.0.1", port)
        }
        guard let published = service.ports.first else { return nil }
        if published.loopbackOnly { return ("127.0.0.1", published.hostPort) }
        let address = stack.settings[.lanIP]
        return (address.contains(":") ? "[\(address)]" : address, published.hostPort)
    }

    /// How the target is probed, for tables and JSON.
    public var probeDescription: String {
        switch method {
        case .http(let url, let status): "GET \(url.absoluteString) → \(status)"
        case .container(let name, let command):
            command.isEmpty
                ? "docker health of \(name)" : "docker health of \(name) (\(command.joined(separator: " ")))"
        }
    }
}
