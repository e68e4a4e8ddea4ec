import Foundation

/// The authentication log a fail2ban jail tails for a service: where the app writes failed logins, which filter
/// reads them, and how many failures in what time earn how long a ban.
///
/// The fail2ban container sees `${CONFIG_ROOT}/<service>/<directory>` read-only at `/logs/<service>`, so the jail's
/// `logpath` is `/logs/<service>/<file>`. A disabled service leaves neither the mount nor the jail behind.
public struct AuthLog: Hashable, Sendable {
    /// The log directory, relative to the service's config directory `${CONFIG_ROOT}/<service>`.
    public let directory: String
    /// The file name or glob inside `directory`. Spaces are allowed here; the jail writes them as `?` globs,
    /// because fail2ban splits a `logpath` on its last space.
    public let file: String
    public let filter: Fail2banFilter
    /// Failures within `findTime` that earn a ban.
    public let maxRetry: Int
    /// fail2ban time spans such as `10m`, `1h`, `1d`.
    public let findTime: TimeSpan
    public let banTime: TimeSpan

    public init(
        directory: String, file: String, filter: Fail2banFilter, maxRetry: Int = 5, findTime: TimeSpan = "1h",
        banTime: TimeSpan = "1d"
    ) {
        self.directory = directory
        self.file = file
        self.filter = filter
        self.maxRetry = maxRetry
        self.findTime = findTime
        self.banTime = banTime
    }

    /// Where the fail2ban container mounts this service's log directory.
    public static func mountPoint(for service: ServiceName) -> String { "/logs/\(service.rawValue)" }

    /// The jail's `logpath`: spaces become `?` so that fail2ban's last-space split cannot cut the path.
    public func jailLogPath(for service: ServiceName) -> String {
        "\(Self.mountPoint(for: service))/\(file.replacingOccurrences(of: " ", with: "?"))"
    }
}
