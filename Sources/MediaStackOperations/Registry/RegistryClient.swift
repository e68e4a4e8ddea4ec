import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Lists the tags of image repositories through the OCI distribution API, anonymously.
///
/// `GET /v2/<name>/tags/list` (opencontainers/distribution-spec v1.1.1 spec.md, "Listing Tags"), following each
/// `Link: <…>; rel="next"` to the end; on a 401 with a Bearer challenge, one anonymous token from the challenge's
/// realm (distribution/distribution v2.8.2 docs/spec/auth/token.md). Tokens are never logged or put in an error.
///
/// Redirects are followed here, not by URLSession, so that a token goes only to the host whose challenge it
/// answers. lscr.io is the Scarf gateway: for a Docker client it redirects `/v2/…` to the backend registry
/// (ghcr.io), whose 401 names ghcr.io's realm (scarf-sh/gateway src/Scarf/Gateway/Rule/Docker.hs,
/// `redirectOrProxy`); for other clients it proxies, and the challenge comes back through lscr.io itself. Docker's
/// registry client does the same bookkeeping: it files each challenge under the scheme and host of the request
/// that got it (after redirects) and adds a token only to requests for that host (distribution v2.8.2
/// registry/client/auth/challenge/authchallenge.go `AddResponse`, registry/client/auth/session.go
/// `ModifyRequest`).
public struct RegistryClient: Sendable {
    /// API base URLs by registry host, replacing the default `https://<host>` (a mirror, or a registry on loopback).
    public let endpoints: [String: URL]
    /// How long each request may take.
    public let timeout: Duration
    /// Pages followed at most for one repository, so a registry whose `Link` never ends cannot hold us forever.
    public let maximumPages: Int
    /// Redirects followed at most for one request.
    public static let maximumRedirects = 10
    private let session: URLSession

    public init(endpoints: [String: URL] = [:], timeout: Duration = .seconds(20), maximumPages: Int = 200) {
        self.endpoints = endpoints
        self.timeout = timeout
        self.maximumPages = maximumPages
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        configuration.urlCredentialStorage = nil
        self.session = URLSession(configuration: configuration, delegate: RedirectRefusal(), delegateQueue: nil)
    }

    /// The API base URL this client asks for `repository`.
    public func endpoint(for repository: RegistryRepository) -> URL? {
        endpoints[repository.host] ?? repository.defaultEndpoint
    }

    /// Every tag of `repository`, in the order the registry lists them.
    public func tags(of repository: RegistryRepository) async throws -> [String] {
        guard let base = endpoint(for: repository),
            var next = URL(string: base.absoluteString.trimmingSuffix("/") + "/v2/\(repository.name)/tags/list")
        else {
            throw RegistryError.malformed(url: repository.description, detail: "not a valid registry address")
        }
        // Tokens by the origin (scheme, host, port) whose challenge they answer.
        var tokens: [String: String] = [:]
        var tags: [String] = []
        var visited = Set<URL>()
        for _ in 0..<maximumPages {
            guard visited.insert(next).inserted else {
                throw RegistryError.malformed(url: next.absoluteString, detail: "its Link header points back")
            }
            var (data, response, answered) = try await get(next, tokens: tokens, repository: repository)
            if response.statusCode == 401, tokens[Self.origin(answered)] == nil {
                tokens[Self.origin(answered)] = try await anonymousToken(
                    response, from: answered, repository: repository)
                (data, response, answered) = try await get(next, tokens: tokens, repository: repository)
            }
            try check(response, data: data, url: answered, repository: repository)
            tags += try decodeTags(data, url: answered)
            // A relative link is relative to the URL that answered (after redirects).
            guard let link = response.value(forHTTPHeaderField: "Link"), let target = Self.nextLink(link),
                let url = URL(string: target, relativeTo: answered)?.absoluteURL
            else { return tags }
            next = url
        }
        throw RegistryError.malformed(
            url: repository.description, detail: "more than \(maximumPages) pages of tags")
    }

    // MARK: - HTTP

    private var seconds: TimeInterval {
        Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
    }

    /// `scheme://host:port` of `url`: the unit a token belongs to.
    static func origin(_ url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? ""
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(url.host?.lowercased() ?? ""):\(port)"
    }

    /// GETs `url`, following redirects (301, 302, 303, 307, 308) to their `Location`; each request carries the
    /// token of its own origin, if there is one, and no other. Returns the last answer and the URL that gave it.
    /// A redirect from https to http is refused: the answer would no longer be the registry's.
    private func get(_ url: URL, tokens: [String: String], repository: RegistryRepository) async throws -> (
        Data, HTTPURLResponse, URL
    ) {
        var current = url
        for _ in 0...Self.maximumRedirects {
            let (data, response) = try await get(current, token: tokens[Self.origin(current)], repository: repository)
            guard [301, 302, 303, 307, 308].contains(response.statusCode) else { return (data, response, current) }
            guard let location = response.value(forHTTPHeaderField: "Location"),
                let target = URL(string: location, relativeTo: current)?.absoluteURL,
                let scheme = target.scheme?.lowercased(), ["http", "https"].contains(scheme), target.host != nil
            else {
                throw RegistryError.malformed(
                    url: current.absoluteString, detail: "HTTP \(response.statusCode) without a usable Location")
            }
            if current.scheme?.lowercased() == "https" && scheme == "http" {
                throw RegistryError.malformed(
                    url: current.absoluteString, detail: "it redirects from https to \(target.absoluteString)")
            }
            current = target
        }
        throw RegistryError.malformed(url: url.absoluteString, detail: "more than \(Self.maximumRedirects) redirects")
    }

    private func get(_ url: URL, token: String?, repository: RegistryRepository) async throws -> (
        Data, HTTPURLResponse
    ) {
        var request = URLRequest(url: url, timeoutInterval: seconds)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw RegistryError.unreachable(
                registry: Self.hostAndPort(url) ?? repository.host, reason: Self.reason(error))
        }
        guard let http = response as? HTTPURLResponse else {
            throw RegistryError.malformed(url: url.absoluteString, detail: "not an HTTP answer")
        }
        return (data, http)
    }

    /// Asks the realm of the challenge `response` (from `answered`) carries for an anonymous pull token.
    private func anonymousToken(_ response: HTTPURLResponse, from answered: URL, repository: RegistryRepository)
        async throws -> String
    {
        guard let header = response.value(forHTTPHeaderField: "WWW-Authenticate"),
            let challenge = BearerChallenge(header: header)
        else {
            throw RegistryError.unauthorized(
                repository: repository.description, detail: "it asks for credentials, not for an anonymous token")
        }
        let registry = Self.hostAndPort(answered) ?? repository.host
        func realmFailed(_ reason: String) -> RegistryError {
            .tokenService(registry: registry, realm: challenge.realm, reason: reason)
        }
        guard var components = URLComponents(string: challenge.realm),
            let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme), components.host != nil
        else {
            throw realmFailed("it is not an http or https URL")
        }
        var query = components.queryItems ?? []
        if let service = challenge.service { query.append(URLQueryItem(name: "service", value: service)) }
        query.append(URLQueryItem(name: "scope", value: challenge.scope ?? "repository:\(repository.name):pull"))
        components.queryItems = query
        guard let url = components.url else { throw realmFailed("it is not an http or https URL") }
        let data: Data
        let tokenResponse: HTTPURLResponse
        do {
            (data, tokenResponse, _) = try await get(url, tokens: [:], repository: repository)
        } catch RegistryError.unreachable(_, let reason) {
            throw realmFailed("it did not answer (\(reason))")
        }
        switch tokenResponse.statusCode {
        case 200: break
        case 401, 403:
            throw RegistryError.unauthorized(
                repository: repository.description,
                detail: "its token service \(url.host ?? challenge.realm) answered \(tokenResponse.statusCode)")
        case 429:
            throw RegistryError.rateLimited(
                registry: url.host ?? challenge.realm,
                retryAfter: tokenResponse.value(forHTTPHeaderField: "Retry-After"))
        default:
            throw realmFailed("it answered HTTP \(tokenResponse.statusCode), not a token")
        }
        // `token`, or `access_token` for OAuth 2.0 compatibility; at least one is present (token.md).
        struct TokenAnswer: Decodable {
            let token: String?
            let access_token: String?
        }
        guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: data),
            let token = answer.token ?? answer.access_token, !token.isEmpty
        else {
            throw realmFailed("its answer holds no token")
        }
        return token
    }

    /// `host:port`, or `host` when the URL names no port.
    static func hostAndPort(_ url: URL) -> String? {
        url.host.map { host in url.port.map { "\(host):\($0)" } ?? host }
    }

    private func check(_ response: HTTPURLResponse, data: Data, url: URL, repository: RegistryRepository) throws {
        switch response.statusCode {
        case 200: return
        case 401, 403:
            throw RegistryError.unauthorized(
                repository: repository.description, detail: "HTTP \(response.statusCode) \(Self.errorDetail(data))")
        case 404:
            throw RegistryError.notFound(repository: repository.description)
        case 429:
            throw RegistryError.rateLimited(
                registry: repository.host, retryAfter: response.value(forHTTPHeaderField: "Retry-After"))
        default:
            throw RegistryError.unexpectedStatus(
                url: url.absoluteString, status: response.statusCode, detail: Self.errorDetail(data))
        }
    }

    private func decodeTags(_ data: Data, url: URL) throws -> [String] {
        // {"name": "<name>", "tags": ["<tag>", …]}; `tags` may be null for a repository without tags.
        struct TagList: Decodable {
            let name: String?
            let tags: [String]?
        }
        do {
            return try JSONDecoder().decode(TagList.self, from: data).tags ?? []
        } catch {
            throw RegistryError.malformed(url: url.absoluteString, detail: "not the JSON of a tag list")
        }
    }

    // MARK: - Parsing

    /// The target of the `rel="next"` link of an RFC 5988 `Link` header value.
    static func nextLink(_ header: String) -> String? {
        for link in header.split(separator: ",") {
            let parts = link.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            let isNext = parts.dropFirst().contains { parameter in
                let compact = parameter.replacingOccurrences(of: " ", with: "").lowercased()
                return compact == "rel=\"next\"" || compact == "rel=next"
            }
            if isNext { return String(target.dropFirst().dropLast()) }
        }
        return nil
    }

    /// The first message of an OCI error body `{"errors":[{"code":…,"message":…}]}`, or nothing.
    static func errorDetail(_ data: Data) -> String {
        struct ErrorBody: Decodable {
            struct Entry: Decodable {
                let code: String?
                let message: String?
            }
            let errors: [Entry]?
        }
        guard let body = try? JSONDecoder().decode(ErrorBody.self, from: data), let first = body.errors?.first else {
            return ""
        }
        return [first.code, first.message].compactMap { $0 }.joined(separator: " ")
    }

    static func reason(_ error: any Error) -> String {
        if let urlError = error as? URLError {
            switch urlError.code {
            case .cannotConnectToHost: return "connection refused"
            case .timedOut: return "timed out"
            case .cannotFindHost, .dnsLookupFailed: return "unknown host"
            case .notConnectedToInternet, .networkConnectionLost: return "network down"
            case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate:
                return "TLS failed"
            default: return urlError.localizedDescription
            }
        }
        return "\(error)"
    }
}

/// Hands every redirect back to ``RegistryClient`` instead of following it, so that it decides which credentials
/// the next host gets.
private final class RedirectRefusal: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
