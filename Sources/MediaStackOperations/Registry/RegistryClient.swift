import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Lists the tags of image repositories through the OCI distribution API, anonymously.
///
/// `GET /v2/<name>/tags/list` (opencontainers/distribution-spec v1.1.1 spec.md, "Listing Tags"), following each
/// `Link: <…>; rel="next"` to the end; on a 401 with a Bearer challenge, one anonymous token from the challenge's
/// realm (distribution/distribution v2.8.2 docs/spec/auth/token.md). Tokens are never logged or put in an error.
public struct RegistryClient: Sendable {
    /// API base URLs by registry host, replacing the default `https://<host>` (a mirror, or a registry on loopback).
    public let endpoints: [String: URL]
    /// How long each request may take.
    public let timeout: Duration
    /// Pages followed at most for one repository, so a registry whose `Link` never ends cannot hold us forever.
    public let maximumPages: Int
    private let session: URLSession

    public init(endpoints: [String: URL] = [:], timeout: Duration = .seconds(20), maximumPages: Int = 200) {
        self.endpoints = endpoints
        self.timeout = timeout
        self.maximumPages = maximumPages
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        configuration.urlCredentialStorage = nil
        self.session = URLSession(configuration: configuration)
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
        var token: String?
        var tags: [String] = []
        var visited = Set<URL>()
        for _ in 0..<maximumPages {
            guard visited.insert(next).inserted else {
                throw RegistryError.malformed(url: next.absoluteString, detail: "its Link header points back")
            }
            var (data, response) = try await get(next, token: token, repository: repository)
            if response.statusCode == 401, token == nil {
                token = try await anonymousToken(response, repository: repository)
                (data, response) = try await get(next, token: token, repository: repository)
            }
            try check(response, data: data, url: next, repository: repository)
            tags += try decodeTags(data, url: next)
            guard let link = response.value(forHTTPHeaderField: "Link"), let target = Self.nextLink(link),
                let url = URL(string: target, relativeTo: next)?.absoluteURL
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
                registry: url.host.map { host in url.port.map { "\(host):\($0)" } ?? host } ?? repository.host,
                reason: Self.reason(error))
        }
        guard let http = response as? HTTPURLResponse else {
            throw RegistryError.malformed(url: url.absoluteString, detail: "not an HTTP answer")
        }
        return (data, http)
    }

    /// Asks the challenge's realm for an anonymous pull token.
    private func anonymousToken(_ response: HTTPURLResponse, repository: RegistryRepository) async throws -> String {
        guard let header = response.value(forHTTPHeaderField: "WWW-Authenticate"),
            let challenge = BearerChallenge(header: header)
        else {
            throw RegistryError.unauthorized(
                repository: repository.description, detail: "it asks for credentials, not for an anonymous token")
        }
        guard var components = URLComponents(string: challenge.realm), components.scheme != nil else {
            throw RegistryError.malformed(
                url: repository.description, detail: "token realm \(challenge.realm) is not a URL")
        }
        var query = components.queryItems ?? []
        if let service = challenge.service { query.append(URLQueryItem(name: "service", value: service)) }
        query.append(URLQueryItem(name: "scope", value: challenge.scope ?? "repository:\(repository.name):pull"))
        components.queryItems = query
        guard let url = components.url else {
            throw RegistryError.malformed(url: challenge.realm, detail: "token realm is not a URL")
        }
        let (data, tokenResponse) = try await get(url, token: nil, repository: repository)
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
            throw RegistryError.unexpectedStatus(
                url: challenge.realm, status: tokenResponse.statusCode, detail: Self.errorDetail(data))
        }
        // `token`, or `access_token` for OAuth 2.0 compatibility; at least one is present (token.md).
        struct TokenAnswer: Decodable {
            let token: String?
            let access_token: String?
        }
        guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: data),
            let token = answer.token ?? answer.access_token, !token.isEmpty
        else {
            throw RegistryError.malformed(url: challenge.realm, detail: "the token answer holds no token")
        }
        return token
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

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
