import Foundation

/// How a service proves it is alive. The same value drives the Compose healthcheck, the Blackbox probe and
/// `mediaserver health`, so the three can never disagree.
public struct HealthProbe: Hashable, Sendable {
    /// What the probe asks.
    public enum Kind: Hashable, Sendable {
        /// An HTTP GET on the service's container port; healthy when the status equals `expectedStatus`.
        case http(path: String, port: Port, expectedStatus: Int, client: HTTPClient)
        /// A command run inside the container; healthy when it exits 0 (for services without an HTTP endpoint).
        case command([String])
    }

    /// The program inside the image that performs an HTTP probe.
    public enum HTTPClient: Hashable, Sendable {
        case curl, wget
        /// The image's own program requests the same endpoint (e.g. `/dozzle healthcheck` GETs `/healthcheck`), for
        /// images without curl or wget.
        case ownCommand([String])
        /// The image has no HTTP client (distroless): no Compose healthcheck; Blackbox and `mediaserver health`
        /// probe the endpoint from outside.
        case outsideOnly
    }

    public let kind: Kind
    /// Seconds between checks.
    public let interval: Int
    /// Seconds one check may take.
    public let timeout: Int
    /// Consecutive failures before the container is unhealthy.
    public let retries: Int
    /// Seconds after start during which failures do not count (slow first starts, database migrations).
    public let startPeriod: Int

    public init(_ kind: Kind, interval: Int = 30, timeout: Int = 10, retries: Int = 5, startPeriod: Int = 60) {
        self.kind = kind
        self.interval = interval
        self.timeout = timeout
        self.retries = retries
        self.startPeriod = startPeriod
    }

    /// The HTTP path and container port, when the probe is HTTP.
    public var http: (path: String, port: Port, expectedStatus: Int)? {
        if case .http(let path, let port, let status, _) = kind { return (path, port, status) }
        return nil
    }

    /// The programs a command probe runs: the first word, or for `sh -c`/`bash -c` the first word of each
    /// `&&`/`||`/`;`-separated part of the script; for an HTTP probe made by the image's own command, that command.
    public var programs: [String] {
        if case .http(_, _, _, .ownCommand(let arguments)) = kind { return Array(arguments.prefix(1)) }
        guard case .command(let arguments) = kind, let first = arguments.first else { return [] }
        guard ["sh", "bash"].contains(first), arguments.count > 2, arguments[1] == "-c" else { return [first] }
        var parts = [arguments[2]]
        for separator in ["&&", "||", ";"] { parts = parts.flatMap { $0.components(separatedBy: separator) } }
        return [first] + parts.compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// The exec-form command that Docker runs inside the container; nil when the image cannot probe itself.
    public var containerTest: [String]? {
        switch kind {
        case .http(let path, let port, _, let client):
            let url = "http://127.0.0.1:\(port)\(path)"
            let limit = String(max(1, timeout - 2))
            switch client {
            // -f makes curl fail on any status >= 400; the probe paths answer 200 when healthy.
            case .curl: return ["CMD", "curl", "-fsS", "-o", "/dev/null", "--max-time", limit, url]
            // busybox and GNU wget both exit non-zero on a non-2xx status.
            case .wget: return ["CMD", "wget", "-q", "-T", limit, "-O", "/dev/null", url]
            case .ownCommand(let arguments): return ["CMD"] + arguments
            case .outsideOnly: return nil
            }
        case .command(let arguments):
            return ["CMD"] + arguments
        }
    }
}
