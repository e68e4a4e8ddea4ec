/// The key of a `.env` setting the code reads by name. Each constant names a setting `SettingsCatalog` defines (the
/// settings test suite proves it), so a lookup always finds a value: the file's, else the catalog default.
public struct SettingKey: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public static let puid = SettingKey("PUID")
    public static let pgid = SettingKey("PGID")
    public static let umask = SettingKey("UMASK")
    public static let timeZone = SettingKey("TZ")
    public static let transcodeDevice = SettingKey("TRANSCODE_DEVICE")
    public static let renderGID = SettingKey("RENDER_GID")
    public static let lanIP = SettingKey("LAN_IP")
    public static let arrAuthRequired = SettingKey("ARR_AUTH_REQUIRED")
    public static let configRoot = SettingKey("CONFIG_ROOT")
    public static let dataRoot = SettingKey("DATA_ROOT")
    public static let backupRoot = SettingKey("BACKUP_ROOT")
    public static let disabledServices = SettingKey("DISABLED_SERVICES")
    public static let indexers = SettingKey("INDEXERS")
    public static let borgPassphrase = SettingKey("BORG_PASSPHRASE")
    public static let grafanaAdminPassword = SettingKey("GRAFANA_ADMIN_PASSWORD")
    public static let plexClaim = SettingKey("PLEX_CLAIM")
    public static let watchtowerNotificationURL = SettingKey("WATCHTOWER_NOTIFICATION_URL")
    public static let jellyfinAdminPassword = SettingKey("JELLYFIN_ADMIN_PASSWORD")
    public static let tautulliPassword = SettingKey("TAUTULLI_PASSWORD")
    public static let sabnzbdNZBKey = SettingKey("SABNZBD_NZB_KEY")
    public static let alertDiscordWebhookURL = SettingKey("ALERT_DISCORD_WEBHOOK_URL")
    public static let alertSMTPPassword = SettingKey("ALERT_SMTP_PASSWORD")
    public static let grafanaAdminUser = SettingKey("GRAFANA_ADMIN_USER")
    public static let alertEmailTo = SettingKey("ALERT_EMAIL_TO")
    public static let alertSMTPSmarthost = SettingKey("ALERT_SMTP_SMARTHOST")
    public static let alertSMTPFrom = SettingKey("ALERT_SMTP_FROM")
    public static let alertSMTPUsername = SettingKey("ALERT_SMTP_USERNAME")
    public static let watchtowerSchedule = SettingKey("WATCHTOWER_SCHEDULE")
    public static let rcloneRemote = SettingKey("RCLONE_REMOTE")
    public static let upgradeHealthTimeout = SettingKey("UPGRADE_HEALTH_TIMEOUT")

    /// Every constant above, for the test that each is defined.
    public static let all: [SettingKey] = [
        puid, pgid, umask, timeZone, transcodeDevice, renderGID, lanIP, arrAuthRequired, configRoot, dataRoot,
        backupRoot, disabledServices, indexers, borgPassphrase, grafanaAdminPassword, plexClaim,
        watchtowerNotificationURL,
        sabnzbdNZBKey,
        alertDiscordWebhookURL, alertSMTPPassword, grafanaAdminUser, alertEmailTo, alertSMTPSmarthost, alertSMTPFrom,
        alertSMTPUsername, watchtowerSchedule, rcloneRemote, jellyfinAdminPassword, tautulliPassword,
        upgradeHealthTimeout,
    ]
}
