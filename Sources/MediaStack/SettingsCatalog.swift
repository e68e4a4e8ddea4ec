/// Every variable `.env` may set. Port settings derive from the services' published ports.
public enum SettingsCatalog {
    /// How `mediaserver init` makes a secret.
    public enum GeneratedSecret: Hashable, Sendable {
        /// 32 hex characters, the *arr API key format.
        case apiKey
        /// Letters and digits.
        case passphrase(length: Int)
    }

    /// The secrets `mediaserver init` generates. Sonarr, Radarr and Prowlarr take their API key from the environment
    /// (`<APP>__AUTH__APIKEY`, which wins over config.xml), and the Borg passphrase and Grafana password are ours to
    /// choose. Every other app makes its own key (Jellyfin, Seerr, Tautulli, Bazarr, SABnzbd), so those are copied
    /// into .env by hand after the app's first start: a generated value would never match.
    public static let generatedSecrets: [String: GeneratedSecret] = [
        "SONARR_API_KEY": .apiKey, "RADARR_API_KEY": .apiKey, "PROWLARR_API_KEY": .apiKey,
        "BORG_PASSPHRASE": .passphrase(length: 40), "GRAFANA_ADMIN_PASSWORD": .passphrase(length: 24),
    ]

    /// The settings key of the GPU device for hardware transcoding (empty: software transcoding).
    public static let transcodeDeviceKey = "TRANSCODE_DEVICE"

    /// The settings key that lists disabled services.
    public static let disabledServicesKey = "DISABLED_SERVICES"

    static let base: [SettingDefinition] = [
        SettingDefinition(
            "PUID", "1000", .numericID, .identity,
            help: "User id that owns configs and media; `id -u` of the owner. Every app runs as this user."),
        SettingDefinition(
            "PGID", "1000", .numericID, .identity, help: "Group id shared by the apps; `id -g` of the owner."),
        SettingDefinition(
            "UMASK", "002", .umask, .identity, help: "File creation mask; 002 keeps files group-writable."),
        SettingDefinition("TZ", "Etc/UTC", .timeZone, .identity, help: "Time zone of logs and schedules."),
        SettingDefinition(
            transcodeDeviceKey, "/dev/dri", .optionalAbsolutePath, .identity,
            help: "GPU device passed to Jellyfin and Plex for hardware transcoding. Empty on a host without one"
                + " (Compose refuses a missing device); run `mediaserver render` after a change.",
            mayBeEmpty: true),
        SettingDefinition(
            "RENDER_GID", "993", .numericID, .identity,
            help: "Group owning /dev/dri (`getent group render | cut -d: -f3`), for hardware transcoding."),
        SettingDefinition(
            "LAN_IP", "127.0.0.1", .ipAddress, .network,
            help: "Address every published port binds to. 127.0.0.1 keeps the stack on this machine; set your"
                + " server's LAN address to reach it from other devices. Never 0.0.0.0 without a firewall."),
        SettingDefinition(
            "CONFIG_ROOT", "/opt/mediaserver", .absolutePath, .paths,
            help: "App configuration, one folder per service (backed up)."),
        SettingDefinition(
            "DATA_ROOT", "/mnt/storage/data", .absolutePath, .paths,
            help: "The one media tree (usenet/, media/): one mount so hardlinks and atomic moves work."),
        SettingDefinition(
            "BACKUP_ROOT", "/mnt/backup/mediaserver", .absolutePath, .paths,
            help: "The local Borg repository. Put it on a different disk than CONFIG_ROOT."),
        SettingDefinition(
            disabledServicesKey, "", .serviceList, .services,
            help: "Comma-separated services to leave out, e.g. `plex,overseerr,tautulli`. Run `mediaserver render`"
                + " afterwards: the render then leaves no trace of them.",
            mayBeEmpty: true),
        SettingDefinition(
            "SONARR_API_KEY", "CHANGE_ME", .secret(placeholder: "CHANGE_ME"), .secrets,
            help: "Sonarr's API key, given to Sonarr, Homepage and Recyclarr alike (32 hex characters)."),
        SettingDefinition(
            "RADARR_API_KEY", "CHANGE_ME", .secret(placeholder: "CHANGE_ME"), .secrets,
            help: "Radarr's API key, given to Radarr, Homepage and Recyclarr alike (32 hex characters)."),
        SettingDefinition(
            "PROWLARR_API_KEY", "CHANGE_ME", .secret(placeholder: "CHANGE_ME"), .secrets,
            help: "Prowlarr's API key (32 hex characters)."),
        SettingDefinition(
            "SABNZBD_API_KEY", "CHANGE_ME", .secret(placeholder: "CHANGE_ME"), .secrets,
            help: "SABnzbd's API key: copy it from SABnzbd → Config → General after the first start."),
        SettingDefinition(
            "BORG_PASSPHRASE", "CHANGE_ME", .secret(placeholder: "CHANGE_ME"), .secrets,
            help: "Encrypts the Borg repository. Keep a copy outside this machine: without it no backup restores."),
        SettingDefinition(
            "GRAFANA_ADMIN_PASSWORD", "CHANGE_ME", .secret(placeholder: "CHANGE_ME"), .secrets,
            help: "Password of Grafana's admin user."),
        SettingDefinition(
            "PLEX_CLAIM", "", .secret(placeholder: ""), .secrets,
            help: "Optional claim token from https://plex.tv/claim (valid for 4 minutes) for the first start.",
            mayBeEmpty: true),
        SettingDefinition(
            "WATCHTOWER_NOTIFICATION_URL", "", .secret(placeholder: ""), .secrets,
            help: "Shoutrrr URL for update notices, e.g. discord://TOKEN@WEBHOOKID. Empty sends none.",
            mayBeEmpty: true),
        SettingDefinition(
            "JELLYFIN_API_KEY", "", .secret(placeholder: ""), .secrets,
            help: "Jellyfin API key for Homepage's widget: create one in Jellyfin → Dashboard → API Keys.",
            mayBeEmpty: true),
        SettingDefinition(
            "PLEX_TOKEN", "", .secret(placeholder: ""), .secrets,
            help: "Plex token (X-Plex-Token) for Homepage's widget: PlexOnlineToken in Plex's Preferences.xml.",
            mayBeEmpty: true),
        SettingDefinition(
            "JELLYSEERR_API_KEY", "", .secret(placeholder: ""), .secrets,
            help: "Jellyseerr's API key for Homepage's widget: Settings → General → API Key.",
            mayBeEmpty: true),
        SettingDefinition(
            "OVERSEERR_API_KEY", "", .secret(placeholder: ""), .secrets,
            help: "Overseerr's API key for Homepage's widget: Settings → General → API Key.",
            mayBeEmpty: true),
        SettingDefinition(
            "TAUTULLI_API_KEY", "", .secret(placeholder: ""), .secrets,
            help: "Tautulli's API key for Homepage's widget: Settings → Web Interface → API Key.",
            mayBeEmpty: true),
        SettingDefinition(
            "BAZARR_API_KEY", "", .secret(placeholder: ""), .secrets,
            help: "Bazarr's API key for Homepage's widget: Settings → General → Security → API Key.",
            mayBeEmpty: true),
        SettingDefinition(
            "ALERT_DISCORD_WEBHOOK_URL", "", .secret(placeholder: ""), .secrets,
            help: "Discord webhook URL for alerts; when set, alerts go to Discord (re-render after a change)."
                + " Alertmanager reads it from /run/secrets, never from a rendered file.",
            mayBeEmpty: true),
        SettingDefinition(
            "ALERT_SMTP_PASSWORD", "", .secret(placeholder: ""), .secrets,
            help: "Password of the SMTP account that sends alert e-mail (read from /run/secrets by Alertmanager).",
            mayBeEmpty: true),
        SettingDefinition(
            "GRAFANA_ADMIN_USER", "admin", .text, .operations, help: "Name of Grafana's admin user."),
        SettingDefinition(
            "ALERT_EMAIL_TO", "", .text, .operations,
            help: "Address that receives alert e-mail (critical alerts). Set → e-mail is on; re-render after a change.",
            mayBeEmpty: true),
        SettingDefinition(
            "ALERT_SMTP_SMARTHOST", "", .text, .operations,
            help: "SMTP server and port for alert e-mail, e.g. smtp.example.com:587 (STARTTLS required).",
            mayBeEmpty: true),
        SettingDefinition(
            "ALERT_SMTP_FROM", "", .text, .operations,
            help: "Sender address of alert e-mail.",
            mayBeEmpty: true),
        SettingDefinition(
            "ALERT_SMTP_USERNAME", "", .text, .operations,
            help: "SMTP login for alert e-mail; usually the sender address.",
            mayBeEmpty: true),
        SettingDefinition(
            "WATCHTOWER_SCHEDULE", "0 0 4 * * *", .cronWithSeconds, .operations,
            help: "When Watchtower updates opted-in containers: six fields, seconds first (04:00 daily)."),
        SettingDefinition(
            "RCLONE_REMOTE", "gdrive:mediaserver-borg", .text, .operations,
            help: "rclone remote and path for the off-site copy; configure the remote with `rclone config`."),
    ]

    /// All settings: the base list, then one port setting per published port, in catalog order.
    public static func definitions(for services: [Service] = Catalog.services) -> [SettingDefinition] {
        let ports = services.flatMap { service in
            service.ports.map { port in
                SettingDefinition(
                    port.settingKey, String(port.hostPort.value), .port, .ports,
                    help: "\(service.name) web port on the host (container port \(port.containerPort)).")
            }
        }
        return base + ports
    }
}
