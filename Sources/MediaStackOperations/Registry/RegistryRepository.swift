import Foundation

/// An image repository as a registry's HTTP API names it: the registry host and the repository name on it.
///
/// Splits an image reference the way Docker does (distribution/distribution v2.8.2 reference/normalize.go,
/// `splitDockerDomain`): the first path component is a host only when it holds a `.` or a `:` or is `localhost`;
/// otherwise the image is on Docker Hub, where a one-component name is an official image under `library/`.
public struct RegistryRepository: Hashable, Sendable, CustomStringConvertible {
    /// The registry host as images name it: `docker.io`, `lscr.io`, `ghcr.io`, `127.0.0.1:5000`.
    public let host: String
    /// The repository name on that registry: `linuxserver/sonarr`, `library/nginx`.
    public let name: String

    public init(image repository: String) {
        let parts = repository.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 2, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" {
            host = parts[0] == "index.docker.io" ? "docker.io" : parts[0]
            name = parts[1]
        } else {
            host = "docker.io"
            name = repository.contains("/") ? repository : "library/\(repository)"
        }
    }

    /// The base URL of the registry's HTTP API. Docker Hub's images are named `docker.io/…` but served by
    /// `registry-1.docker.io` (moby/moby registry/config.go, `DefaultRegistryHost`); every other registry is
    /// asked over HTTPS at its own host.
    public var defaultEndpoint: URL? {
        URL(string: host == "docker.io" ? "https://registry-1.docker.io" : "https://\(host)")
    }

    public var description: String { "\(host)/\(name)" }
}
