import Foundation

/// Why a registry could not list an image's tags; each case says what to do next.
public enum RegistryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nothing answered at the registry's address, or the connection failed.
    case unreachable(registry: String, reason: String)
    /// The registry (or its token service) refused anonymous access.
    case unauthorized(repository: String, detail: String)
    /// The registry has no such repository.
    case notFound(repository: String)
    /// The registry asks us to slow down (HTTP 429), maybe saying for how long.
    case rateLimited(registry: String, retryAfter: String?)
    /// The token service (`realm`) that the registry's 401 challenge names could not give a token.
    case tokenService(registry: String, realm: String, reason: String)
    /// Any other unexpected status.
    case unexpectedStatus(url: String, status: Int, detail: String)
    /// An answer that is not what the OCI distribution specification says.
    case malformed(url: String, detail: String)

    public var description: String {
        switch self {
        case .unreachable(let registry, let reason):
            return "registry \(registry) did not answer (\(reason)); check the network and try again later"
        case .unauthorized(let repository, let detail):
            return "registry refused to list the tags of \(repository) without credentials (\(detail)); the image may"
                + " be private or renamed: check its name in the catalog"
        case .notFound(let repository):
            return "registry has no repository \(repository); the image was renamed or removed: check its name in"
                + " the catalog"
        case .rateLimited(let registry, let retryAfter):
            // Retry-After is a number of seconds or an HTTP date (RFC 9110 section 10.2.3).
            let wait =
                switch retryAfter?.trimmingCharacters(in: .whitespaces) {
                case let value? where !value.isEmpty && value.allSatisfy(\.isNumber): "after \(value) s (Retry-After)"
                case let value? where !value.isEmpty: "after \(value) (Retry-After)"
                default: "later"
                }
            let mirror =
                registry == "docker.io" || registry.hasSuffix(".docker.io")
                ? ", or ask a mirror: --registry docker.io=https://mirror.gcr.io" : ""
            return "registry \(registry) is rate-limiting this address (HTTP 429 TOOMANYREQUESTS); run it again"
                + " \(wait)\(mirror)"
        case .tokenService(let registry, let realm, let reason):
            return "registry \(registry) answered 401 and named \(realm) as its token service, but \(reason); if"
                + " \(registry) is a mirror given with --registry, its token realm is set up wrong (or leave --registry"
                + " out), otherwise try again later"
        case .unexpectedStatus(let url, let status, let detail):
            return "\(url) answered HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)"); try again later"
        case .malformed(let url, let detail):
            return "\(url) answered something that is not a tag list (\(detail))"
        }
    }
}
