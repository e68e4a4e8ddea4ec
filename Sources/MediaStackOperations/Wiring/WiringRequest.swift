import Foundation

/// One call to an app's HTTP API.
public struct WiringRequest: Sendable, Hashable {
    public var method: String
    /// The path with its query string, e.g. `/api/v3/downloadclient?forceSave=true`.
    public var path: String
    public var headers: [String: String]
    public var body: WireJSON?
    /// A form body (`application/x-www-form-urlencoded`) instead of JSON, for an API that reads its parameters from
    /// a form (SABnzbd's), so that secrets travel in the body and never in a URL.
    public var form: [String: String]?

    public init(
        _ method: String, _ path: String, headers: [String: String] = [:], body: WireJSON? = nil,
        form: [String: String]? = nil
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.form = form
    }

    /// The form as it is sent: keys sorted, each name and value percent-encoded but for RFC 3986's unreserved
    /// characters.
    public var encodedForm: Data? {
        guard let form else { return nil }
        func escape(_ text: String) -> String {
            text.utf8.map { byte -> String in
                let scalar = Unicode.Scalar(byte)
                let unreserved = byte < 0x80 && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
                if unreserved || "-._~".unicodeScalars.contains(scalar) { return String(scalar) }
                return String(format: "%%%02X", byte)
            }.joined()
        }
        let text = form.keys.sorted().map { "\(escape($0))=\(escape(form[$0] ?? ""))" }.joined(separator: "&")
        return Data(text.utf8)
    }

    /// `METHOD /path` without the query string, for messages (a query may carry a secret).
    public var call: String {
        "\(method) \(path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path)"
    }
}
