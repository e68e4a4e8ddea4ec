import Foundation

/// Every service of the seed architecture, each declared exactly once.
///
/// To add a service, append one `Service(...)` value to its family's list (`Catalog+<Family>.swift`), in the place it
/// should appear in the compose file; compose files, `.env.example`, checks and probes all derive from it.
public enum Catalog {
    /// The Docker socket; only services with a declared reason mount it.
    static let dockerSocket = "/var/run/docker.sock"

    /// The read-only Docker API proxy of the dashboard stack, which Homepage and Dozzle use instead of the socket.
    public static let socketProxy: ServiceName = "socket-proxy"
    public static let dockerProxyHost = socketProxy.rawValue
    public static let dockerProxyPort = 2375
    /// Ports other services' configuration names too (Homepage's allowed hosts, exportarr's address).
    static let homepagePort = 3000
    static let sabnzbdPort = 8080
    static let sabExporterPort = 9707

    public static let services: [Service] = core + frontDoor + dashboard

    /// The GPU device the media servers get for hardware transcoding (TRANSCODE_DEVICE overrides it).
    public static let gpuDevice = "/dev/dri"
    /// The supplementary group that may open the GPU's render node.
    public static let renderGroup = "${RENDER_GID}"

    /// Plex's data folder inside its config directory (linuxserver image: /config/Library/…).
    public static let plexData = "config/Library/Application Support/Plex Media Server"
    /// Alertmanager's secrets: the Discord webhook URL and the SMTP password, from `.env` via Compose secrets.
    public static let alertDiscordWebhook = ComposeSecret(
        "alert_discord_webhook_url", from: "ALERT_DISCORD_WEBHOOK_URL")
    public static let alertSMTPPassword = ComposeSecret("alert_smtp_password", from: "ALERT_SMTP_PASSWORD")

    // MARK: - Core stack (compose.yml)

    static let core: [Service] = media + automation + maintenance + backups

    // MARK: - Dashboard stack (homepage-stack.yml)

    static let dashboard: [Service] = dashboardApps + observability
}
