/// A declared departure from the hardened defaults, with the reason it is needed. `mediaserver check` reports
/// a socket mount or privileged container that has none, and the compose-lint configuration is rendered from these.
public struct SecurityException: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Mounts the Docker socket, or a host directory that contains it (`/`, `/var/run`).
        case dockerSocket = "docker-socket"
        /// Mounts a sensitive host path such as `/sys`, `/var/lib/docker` or `/dev/disk`.
        case sensitiveHostPath = "sensitive-host-path"
        /// Runs with `privileged: true`.
        case privileged
        /// Takes a dangerous host device such as `/dev/kmsg`.
        case hostDevice = "host-device"
        /// Adds `NET_ADMIN`.
        case networkAdmin = "network-admin"
        /// Runs without `no-new-privileges` (the image needs setuid binaries or file capabilities).
        case newPrivileges = "new-privileges"
        /// Shares a host namespace other than the network (`pid: host`).
        case hostNamespace = "host-namespace"
    }

    public let kind: Kind
    public let reason: String

    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }
}
