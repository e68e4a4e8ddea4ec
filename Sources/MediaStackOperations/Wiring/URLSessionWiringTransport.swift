import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends requests with Foundation's URLSession, each with its own hard deadline.
public final class URLSessionWiringTransport: WiringTransport, Sendable {
    private let session: URLSession

    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        self.session = URLSession(configuration: configuration)
    }

    public func send(_ request: WiringRequest, to base: URL, timeout: Duration) async throws(WiringTransportError)
        -> WiringResponse
    {
        let text = base.absoluteString.hasSuffix("/") ? String(base.absoluteString.dropLast()) : base.absoluteString
        guard let url = URL(string: text + request.path) else { throw .invalidURL(text + request.call) }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        var urlRequest = URLRequest(url: url, timeoutInterval: seconds)
        urlRequest.httpMethod = request.method
        urlRequest.setValue("application/json", forHTTPHeaderField: "Accept")
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        if let body = request.body {
            urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
            urlRequest.httpBody = body.encoded()
        } else if let form = request.encodedForm {
            urlRequest.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            urlRequest.httpBody = form
        }
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            let once = ResumeOnce(continuation)
            let task = session.dataTask(with: urlRequest) { data, response, error in
                if let error {
                    once.resume(.failed(Self.reason(error)))
                } else {
                    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                    once.resume(.answered(WiringResponse(status: status, body: data ?? Data())))
                }
            }
            task.resume()
            // URLSession's timeout on Linux bounds only idle time; this bounds the whole call.
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                if once.resume(.timedOut) { task.cancel() }
            }
        }
        switch result {
        case .answered(let response): return response
        case .timedOut: throw .timedOut(seconds: seconds)
        case .failed(let reason): throw .unreachable(reason)
        }
    }

    private enum Outcome: Sendable {
        case answered(WiringResponse)
        case timedOut
        case failed(String)
    }

    private static func reason(_ error: any Error) -> String {
        guard let error = error as? URLError else { return "\(error)" }
        switch error.code {
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "host not found"
        case .networkConnectionLost: return "the connection was closed"
        default: return error.localizedDescription
        }
    }
}
