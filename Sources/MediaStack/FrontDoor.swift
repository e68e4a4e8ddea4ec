/// The one secure way in: Caddy as the reverse proxy (one subdomain of `DOMAIN` per web UI, HTTPS) and Authelia for
/// single sign-on through Caddy's `forward_auth`. Off until `DOMAIN` is set; then only Caddy's ports are published
/// on the LAN address and every app's own port binds to loopback.
///
/// Subdomains, not subpaths: Seerr has no base-URL setting, and each app keeps its own cookies and absolute links.
public enum FrontDoor {
    /// The reverse proxy service.
    public static let proxy: ServiceName = "caddy"
    /// The single sign-on service.
    public static let authenticator: ServiceName = "authelia"
    /// The services that exist only while the front door is on.
    public static let services: Set<ServiceName> = [proxy, authenticator]

    /// The settings key of the base domain; empty leaves the front door off.
    public static let domainKey = SettingKey("DOMAIN")
    /// The settings key of the TLS mode (`internal` or `acme`).
    public static let tlsKey = SettingKey("PROXY_TLS")
    /// The settings key of the ACME account e-mail (optional; Let's Encrypt warns before a certificate expires).
    public static let acmeEmailKey = SettingKey("ACME_EMAIL")
    /// The settings key of Caddy's HTTP port on the host (its HTTPS port is `CADDY_PORT`, from its service port).
    public static let httpPortKey = SettingKey("CADDY_HTTP_PORT")
    /// The settings key of the first Authelia user's name.
    public static let adminUserKey = SettingKey("AUTHELIA_ADMIN_USER")
    /// The subdomain of Authelia's login portal.
    public static let portalSubdomain = "auth"
    /// Authelia's listening port on `media_net` (its default, `server.address` tcp://:9091).
    public static let authenticatorPort = 9091

    /// Authelia's secrets, from `.env` through Compose secrets (`AUTHELIA_…_FILE` variables name the files).
    public static let sessionSecret = ComposeSecret("authelia_session_secret", from: "AUTHELIA_SESSION_SECRET")
    public static let storageEncryptionKey = ComposeSecret(
        "authelia_storage_encryption_key", from: "AUTHELIA_STORAGE_ENCRYPTION_KEY")
    public static let resetPasswordJWTSecret = ComposeSecret(
        "authelia_jwt_secret", from: "AUTHELIA_JWT_SECRET")
    public static let smtpPassword = ComposeSecret("authelia_smtp_password", from: "ALERT_SMTP_PASSWORD")

    /// How Caddy gets certificates.
    public enum TLSMode: String, Hashable, Sendable, CaseIterable {
        /// Caddy's own certificate authority: for a LAN name; each device trusts Caddy's root once.
        case `internal`
        /// A public certificate from Let's Encrypt (HTTP-01 on port 80, TLS-ALPN-01 on 443): for a public domain.
        case acme
    }

    /// Who may pass the front door to a web UI.
    public enum Access: Hashable, Sendable {
        /// The app keeps its own login and Authelia is bypassed: its native and TV apps cannot do single sign-on.
        case ownLogin(reason: String)
        /// Authelia login with two factors (password and TOTP).
        case twoFactor
        /// Two factors, and API calls under `/api/` carrying an API key (`X-Api-Key` header or `apikey` query) go
        /// straight to the app, which checks the key itself: Homepage, Prowlarr and mobile apps keep working.
        case twoFactorExceptAPIKey
        /// Two factors, and the app signs the user in from the `Remote-User` header Authelia returns (Grafana's
        /// `auth.proxy`).
        case twoFactorRemoteUser
    }

    /// The web UIs behind the front door and who may pass. Services not listed (exporters, sidecars) get no site.
    public static let access: [ServiceName: Access] = [
        "jellyfin": .ownLogin(reason: "Jellyfin's TV and mobile apps sign in to Jellyfin itself"),
        "plex": .ownLogin(reason: "Plex clients sign in through plex.tv"),
        "jellyseerr": .ownLogin(reason: "Seerr's mobile-friendly portal signs users in with their Jellyfin account"),
        "overseerr": .ownLogin(reason: "Seerr's mobile-friendly portal signs users in with their Plex account"),
        "tautulli": .twoFactor,
        "sonarr": .twoFactorExceptAPIKey,
        "radarr": .twoFactorExceptAPIKey,
        "prowlarr": .twoFactorExceptAPIKey,
        "sabnzbd": .twoFactor,
        "bazarr": .twoFactor,
        "homepage": .twoFactor,
        "dozzle": .twoFactor,
        "filebrowser": .twoFactor,
        "prometheus": .twoFactor,
        "alertmanager": .twoFactor,
        "grafana": .twoFactorRemoteUser,
    ]

    /// The Servarr setting `<APP>__AUTH__METHOD` (AuthenticationMethod in config.xml: Forms, Basic, External).
    public static let authenticationMethodSuffix = "__AUTH__METHOD"

    /// Whether the front door is on for these settings.
    public static func isEnabled(_ settings: Settings) -> Bool { !settings[domainKey].isEmpty }

    /// The base domain while the front door is on, else nil.
    public static func domain(_ settings: Settings) -> String? {
        isEnabled(settings) ? settings[domainKey] : nil
    }

    /// The TLS mode of these settings; `internal` unless `PROXY_TLS=acme`.
    public static func tlsMode(_ settings: Settings) -> TLSMode {
        TLSMode(rawValue: settings[tlsKey]) ?? .internal
    }

    /// The host name of a service behind the front door, e.g. `sonarr.media.example.com`.
    public static func host(of service: ServiceName, domain: String) -> String { "\(service.rawValue).\(domain)" }

    /// The host name of Authelia's portal, e.g. `auth.media.example.com`.
    public static func portalHost(domain: String) -> String { "\(portalSubdomain).\(domain)" }
}
