/// A bind mount or named volume of a service.
public struct Mount: Hashable, Sendable {
    /// Where the mounted data lives on the host.
    public enum Source: Hashable, Sendable {
        /// `${CONFIG_ROOT}/<service>/<subpath>`: the app's own configuration (backed up).
        case config(String)
        /// `${DATA_ROOT}/<subpath>`: the one media tree, so hardlinks and atomic moves work.
        case data(String)
        /// `${BACKUP_ROOT}`: the Borg repository.
        case backupRepository
        /// `${CONFIG_ROOT}/<subpath>`: a path under the config root shared between services.
        case configRoot(String)
        /// A file or folder of this repository, rendered by `mediaserver` (e.g. `./prometheus`).
        case repository(String)
        /// An absolute host path such as `/var/run/docker.sock` or `/dev/dri`.
        case host(String)
        /// A Compose named volume.
        case volume(String)
    }

    public let source: Source
    public let target: String
    public let readOnly: Bool
    /// Extra bind options such as `rslave`.
    public let options: [String]

    public init(_ source: Source, _ target: String, readOnly: Bool = false, options: [String] = []) {
        self.source = source
        self.target = target
        self.readOnly = readOnly
        self.options = options
    }
}
