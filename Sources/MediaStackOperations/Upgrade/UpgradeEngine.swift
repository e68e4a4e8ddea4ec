import Foundation
import MediaStack

/// The side effects of an upgrade: backup, pull, stop and start one service, wait for its health, write the
/// settings and their render. Injected so the decisions of ``UpgradeRun`` are tested without an engine.
public protocol UpgradeEngine: Sendable {
    /// Backs up the deployment; throws, with the reason as its description, when the backup failed.
    func backup() async throws
    /// Pulls `reference` exactly as named.
    func pull(_ reference: String) async throws
    /// Stops the service's container.
    func stop(_ service: String, in stack: String) async throws
    /// Creates (or recreates) and starts the service's container from the current render, leaving other
    /// services alone.
    func start(_ service: String, in stack: String) async throws
    /// Waits until the service's container runs and is healthy; nil when it is, else what it is instead.
    func waitHealthy(_ service: String, in stack: String, timeout: Duration) async -> String?
    /// Writes `text` as the settings file (mode 0600) and renders it into the deployment folder, all or nothing:
    /// when the render cannot be written, the settings file is put back.
    func applySettings(_ text: String) async throws
}
