import Foundation
import MediaStack

/// The outcome of wiring one app: its plan, what was done and the failure that stopped it, if any.
public struct AppWiringReport: Sendable, Hashable, Encodable {
    public struct Item: Sendable, Hashable, Encodable {
        public let kind: String
        public let name: String
        /// `create`, `update`, `unchanged`, `user-made`, `drifted-not-updatable`, `needs-you`.
        public let change: String
        /// The values that drifted, for an update.
        public let drifted: [String]
        /// Whether the change was carried out (false in a dry run, or after a failure).
        public let done: Bool
        public let description: String
    }

    public let app: String
    public let items: [Item]
    /// The one-line failure (app, call, the app's message, fix); never holds a secret.
    public let failure: String?

    public var changed: Bool { items.contains { $0.done } }
}
