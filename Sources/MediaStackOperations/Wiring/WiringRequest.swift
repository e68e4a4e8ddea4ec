import Foundation

/// One call to an app's HTTP API.
public struct WiringRequest: Sendable, Hashable {
    public var method: String
    /// The path with its query string, e.g. `/api/v3/downloadclient?forceSave=true`.
    public var path: String
    public var headers: [String: String]
    public var body: WireJSON?

    public init(_ method: String, _ path: String, headers: [String: String] = [:], body: WireJSON? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// `METHOD /path` without the query string, for messages (a query may carry a secret).
    public var call: String {
        "\(method) \(path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path)"
    }
}
