/// The fail2ban filters `mediaserver` ships, one per log format (the filter text lives with the renderer).
public enum Fail2banFilter: String, Hashable, Sendable, CaseIterable, Comparable {
    /// Jellyfin 10.5 – 10.11 `UserManager` "Authentication request … has been denied" lines.
    case jellyfin
    /// Plex Media Server 401 responses in its request trace (a candidate: PMS never logs a password failure).
    case plex
    /// Sonarr, Radarr and Prowlarr `Auth-Failure` lines (failed logins; never `Auth-Unauthorized`).
    case servarr
    /// Seerr (and Overseerr/Jellyseerr) "Failed sign-in/login attempt" lines.
    case seerr
    /// Authelia "Unsuccessful … authentication attempt by user" lines (first factor, TOTP, WebAuthn, Duo).
    case authelia

    public static func < (lhs: Fail2banFilter, rhs: Fail2banFilter) -> Bool { lhs.rawValue < rhs.rawValue }
}
