import Foundation
import MediaStack

/// The state of one container of a stack, as `docker compose ps` reports it.
public struct ContainerStatus: Sendable, Hashable, Codable {
    public let stack: String
    public let service: String
    public let container: String
    /// `running`, `exited`, `created`, `restarting`, …
    public let state: String
    /// `healthy`, `unhealthy`, `starting`, or empty when the container has no healthcheck.
    public let health: String

    /// Running, and healthy if it has a healthcheck.
    public var isReady: Bool { state == "running" && (health.isEmpty || health == "healthy") }
}
