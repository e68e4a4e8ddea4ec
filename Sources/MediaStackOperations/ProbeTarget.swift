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
        let address = stack.settings[.lanIP]
        let host = address.contains(":") ? "[\(address)]" : address
        return stack.services.compactMap { service -> ProbeTarget? in
            guard service.isLongRunning, let health = service.health else { return nil }
            switch health.kind {
            case .http(let path, let port, let status, _):
                // The probe asks the service's one port, so it is where the service publishes it; a port the
                // catalog declares unpublished is reached only inside the engine, where Docker runs the same probe.
                let hostPort: MediaStack.Port
                let hostName: String
                if service.usesHostNetwork {
                    (hostName, hostPort) = ("127.0.0.1", port)
                } else if let published = service.ports.first {
                    (hostName, hostPort) = (published.loopbackOnly ? "127.0.0.1" : host, published.hostPort)
                } else {
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
