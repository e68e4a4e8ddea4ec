import Foundation

/// The Compose service name of a catalog entry: lower-case letters, digits, `_` and `-`, starting with a letter.
public struct ServiceName: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    /// Creates a name, or nil when `rawValue` is not a valid Compose service name.
    public init?(_ rawValue: String) {
        guard Self.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        precondition(Self.isValid(value), "invalid service name \(value)")
        self.rawValue = value
    }

    public static func isValid(_ value: String) -> Bool {
        guard let first = value.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return value.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
    }

    /// The settings key prefix for this service, e.g. `node_exporter` → `NODE_EXPORTER`.
    public var settingPrefix: String {
        rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// The name with a capital first letter, e.g. `Jellyseerr` (tile titles, help texts).
    public var title: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    public var description: String { rawValue }
    public static func < (lhs: ServiceName, rhs: ServiceName) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The services the code itself refers to by name (renderers that exist for one service, dependencies of checks).
/// Each must name a catalog entry; the catalog test suite proves it, so a rename cannot silently render nothing.
extension ServiceName {
    public static let alertmanager: ServiceName = "alertmanager"
    public static let bazarr: ServiceName = "bazarr"
    public static let blackboxExporter: ServiceName = "blackbox_exporter"
    public static let borgmatic: ServiceName = "borgmatic"
    public static let fail2ban: ServiceName = "fail2ban"
    public static let grafana: ServiceName = "grafana"
    public static let homepage: ServiceName = "homepage"
    public static let jellyfin: ServiceName = "jellyfin"
    public static let jellyseerr: ServiceName = "jellyseerr"
    public static let nodeExporter: ServiceName = "node_exporter"
    public static let overseerr: ServiceName = "overseerr"
    public static let plex: ServiceName = "plex"
    public static let prometheus: ServiceName = "prometheus"
    public static let prowlarr: ServiceName = "prowlarr"
    public static let radarr: ServiceName = "radarr"
    public static let rclone: ServiceName = "rclone"
    public static let recyclarr: ServiceName = "recyclarr"
    public static let sabnzbd: ServiceName = "sabnzbd"
    public static let sonarr: ServiceName = "sonarr"
    public static let tautulli: ServiceName = "tautulli"

    /// Every constant above, for the test that each names a catalog service.
    public static let referencedByCode: [ServiceName] = [
        alertmanager, bazarr, blackboxExporter, borgmatic, fail2ban, grafana, homepage, jellyfin, jellyseerr,
        nodeExporter, overseerr, plex, prometheus, prowlarr, radarr, rclone, recyclarr, sabnzbd, sonarr, tautulli,
    ]
}
