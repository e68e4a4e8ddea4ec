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
            let wait = retryAfter.map { " (it asks to wait \($0) s)" } ?? ""
            return "registry \(registry) is rate-limiting this address (HTTP 429)\(wait); try again later"
        case .unexpectedStatus(let url, let status, let detail):
            return "\(url) answered HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)"); try again later"
        case .malformed(let url, let detail):
            return "\(url) answered something that is not a tag list (\(detail))"
        }
    }
}
