import Foundation
import MediaStack

/// The outcome of one probe.
public struct ProbeOutcome: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        case up, down
    }

    public let service: String
    public let state: State
    public let probe: String
    /// What was seen: `200`, `connection refused`, `unhealthy`, `timed out after 5 s`.
    public let detail: String
    public let milliseconds: Int
}
