/// How a service is confined. Every service gets `no-new-privileges` unless it declares why not; everything else
/// here is opt-in where it is known to be safe for the image.
public struct SecurityProfile: Hashable, Sendable {
    /// How the service reaches the Docker API.
    public enum DockerAPI: Hashable, Sendable {
        /// It does not.
        case none
        /// Through the read-only socket proxy of the dashboard stack (`tcp://socket-proxy:2375`).
        case proxy
    }

    public let exceptions: [SecurityException]
    /// `cap_drop: [ALL]`: safe for images that run as an unprivileged user from the start and need no capability.
    public let dropAllCapabilities: Bool
    /// `read_only: true`, with `tmpfs` for the paths the image writes at run time.
    public let readOnlyRootFilesystem: Bool
    public let tmpfs: [String]
    /// Compose `mem_limit`, for small sidecars whose footprint is known (never for the media apps).
    public let memoryLimit: ByteSize?
    public let dockerAPI: DockerAPI

    public init(
        exceptions: [SecurityException] = [], dropAllCapabilities: Bool = false, readOnlyRootFilesystem: Bool = false,
        tmpfs: [String] = [], memoryLimit: ByteSize? = nil, dockerAPI: DockerAPI = .none
    ) {
        self.exceptions = exceptions
        self.dropAllCapabilities = dropAllCapabilities
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.tmpfs = tmpfs
        self.memoryLimit = memoryLimit
        self.dockerAPI = dockerAPI
    }

    /// The defaults: `no-new-privileges`, nothing else.
    public static let standard = SecurityProfile()

    /// An image running as an unprivileged user from its first instruction: no capability is ever needed.
    public static let unprivileged = SecurityProfile(dropAllCapabilities: true)

    /// The declared reason for `kind`, if the service has that exception.
    public func reason(for kind: SecurityException.Kind) -> String? {
        exceptions.first { $0.kind == kind }?.reason
    }

    /// Whether `security_opt: [no-new-privileges:true]` is rendered.
    public var noNewPrivileges: Bool { reason(for: .newPrivileges) == nil }
}
