import Foundation

/// Sends requests to an app. Injected so the reconciler runs against fakes and real apps alike.
public protocol WiringTransport: Sendable {
    /// Sends `request` to `base` (scheme, host and port) within `timeout`.
    func send(_ request: WiringRequest, to base: URL, timeout: Duration) async throws(WiringTransportError)
        -> WiringResponse
}
