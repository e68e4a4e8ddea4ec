/// Every variable `.env` may set. Port and API-key settings derive from the services' declarations, so a new
/// service needs no edit here.
public enum SettingsCatalog {
    /// How `mediaserver init` makes a secret.
    public enum GeneratedSecret: Hashable, Sendable {
        /// 32 hex characters, the *arr API key format.
        case apiKey
        /// Letters and digits.
        case passphrase(length: Int)
    }

    /// The secrets `mediaserver init` generates: the API keys the catalog declares `.generated` (every key an app
    /// takes before its first start: from its environment, such as Sonarr's `<APP>__AUTH__APIKEY`, which wins over
    /// config.xml, or from a file `mediaserver up` seeds, such as sabnzbd.ini), SABnzbd's NZB key (seeded with its
    /// API key), and the Borg passphrase and the Grafana and Tautulli passwords, which are ours to choose. Only keys an app makes
    /// itself (Jellyfin's, Plex's token) are left to the app.
    public static func generatedSecrets(for services: [Service] = Catalog.services) -> [String: GeneratedSecret] {
        var secrets: [String: GeneratedSecret] = [
            SettingKey.sabnzbdNZBKey.rawValue: .apiKey,
            "BORG_PASSPHRASE": .passphrase(length: 40), "GRAFANA_ADMIN_PASSWORD": .passphrase(length: 24),
            SettingKey.tautulliPassword.rawValue: .passphrase(length: 24),
        ]
        for service in services where service.apiKey?.origin == .generated {
            if let key = service.apiKeySetting { secrets[key] = .apiKey }
        }
        return secrets.merging(FrontDoor.generatedSecrets) { base, _ in base }
    }

    /// The settings key of the GPU device for hardware transcoding (empty: software transcoding).
    public static let transcodeDeviceKey = SettingKey.transcodeDevice.rawValue

    /// The settings key that lists disabled services.
    public static let disabledServicesKey = SettingKey.disabledServices.rawValue

    /// Listed before the API keys: identity, network, paths, services.
    static let base: [SettingDefinition] = [
        SettingDefinition(
            .puid, "1000", .numericID, .identity,
            help: "User id that owns configs and media; `id -u` of the owner. Every app runs as this user."),
        SettingDefinition(
            .pgid, "1000", .numericID, .identity, help: "Group id shared by the apps; `id -g` of the owner."),
        SettingDefinition(
            .umask, "002", .umask, .identity, help: "File creation mask; 002 keeps files group-writable."),
        SettingDefinition(.timeZone, "Etc/UTC", .timeZone, .identity, help: "Time zone of logs and schedules."),
        SettingDefinition(
            .transcodeDevice, Catalog.gpuDevice, .optionalAbsolutePath, .identity,
            help: "GPU device passed to Jellyfin and Plex for hardware transcoding. Empty on a host without one"
                + " (Compose refuses a missing device); run `mediaserver render` after a change.",
            mayBeEmpty: true),
        SettingDefinition(
            .renderGID, "993", .numericID, .identity,
            help: "Group owning /dev/dri (`getent group render | cut -d: -f3`), for hardware transcoding."),
        SettingDefinition(
            .lanIP, "127.0.0.1", .ipAddress, .network,
            help: "Address every published port binds to. 127.0.0.1 keeps the stack on this machine; set your"
                + " server's LAN address to reach it from other devices. Never 0.0.0.0 without a firewall."),
        SettingDefinition(
            .arrAuthRequired, "DisabledForLocalAddresses", .oneOf(["DisabledForLocalAddresses", "Enabled"]), .network,
            help: "When Sonarr, Radarr and Prowlarr ask for a login. DisabledForLocalAddresses: never from this"
                + " machine or a private LAN address; any other address gets a login nobody can pass until you"
                + " create a user (Settings → General → Security). Enabled: always (create the user first). Use"
                + " Enabled behind a reverse proxy, where every request comes from a private address."),
        SettingDefinition(
            .configRoot, "/opt/mediaserver", .absolutePath, .paths,
            help: "App configuration, one folder per service (backed up)."),
        SettingDefinition(
            .dataRoot, "/mnt/storage/data", .absolutePath, .paths,
            help: "The one media tree (usenet/, media/): one mount so hardlinks and atomic moves work."),
        SettingDefinition(
            .backupRoot, "/mnt/backup/mediaserver", .absolutePath, .paths,
            help: "The local Borg repository. Put it on a different disk than CONFIG_ROOT."),
        SettingDefinition(
            .disabledServices, "", .serviceList, .services,
            help: "Comma-separated services to leave out, e.g. `plex,overseerr,tautulli`. Run `mediaserver render`"
                + " afterwards: the render then leaves no trace of them.",
            mayBeEmpty: true),
        SettingDefinition(
            .indexers, "", .text, .indexers,
            help: "Comma-separated names of your Usenet (Newznab) indexers, e.g. `nzbgeek,drunkenslug`. For each NAME"
                + " set INDEXER_<NAME>_URL (the site's address, without /api) and INDEXER_<NAME>_API_KEY (from your"
                + " account there); INDEXER_<NAME>_API_PATH only if the API is not at /api. `mediaserver wire` adds"
                + " each to Prowlarr under its name, and Prowlarr hands them to Sonarr and Radarr.",
            mayBeEmpty: true,
            example: [
                "INDEXERS=nzbgeek", "INDEXER_NZBGEEK_URL=https://api.nzbgeek.info",
                "INDEXER_NZBGEEK_API_KEY=your-key-from-the-site",
            ]),
    ]

    /// Listed between the required and the optional API keys: the secrets that are ours to choose.
    static let ownSecrets: [SettingDefinition] = [
        SettingDefinition(
            .borgPassphrase, "CHANGE_ME", .secret(placeholder: "CHANGE_ME"), .secrets,
            help: "Encrypts the Borg repository. Keep a copy outside this machine: without it no backup restores."),
        SettingDefinition(
            .grafanaAdminPassword, "CHANGE_ME", .secret(placeholder: "CHANGE_ME"), .secrets,
            help: "Password of Grafana's admin user."),
        SettingDefinition(
            .tautulliPassword, "", .secret(placeholder: ""), .secrets,
            help: "Password of Tautulli's login (user admin), which `mediaserver up` writes into config.ini as a"
                + " PBKDF2 digest while the file has none. Empty: Tautulli has no login; `mediaserver init --force`"
                + " generates one and keeps every other value.",
            mayBeEmpty: true),
        SettingDefinition(
            .plexClaim, "", .secret(placeholder: ""), .secrets,
            help: "Optional claim token from https://plex.tv/claim (valid for 4 minutes) for the first start.",
            mayBeEmpty: true),
        SettingDefinition(
            .watchtowerNotificationURL, "", .secret(placeholder: ""), .secrets,
            help: "Shoutrrr URL for update notices, e.g. discord://TOKEN@WEBHOOKID. Empty sends none.",
            mayBeEmpty: true),
        SettingDefinition(
            .sabnzbdNZBKey, "", .secret(placeholder: ""), .secrets,
            help: "SABnzbd's NZB key (upload-only access), written into sabnzbd.ini like its API key. Empty: SABnzbd"
                + " makes its own.",
            mayBeEmpty: true),
    ]

    /// Listed after the optional app keys: Jellyfin's admin password, alert delivery and the operations section.
    static let afterAPIKeys: [SettingDefinition] = [
        SettingDefinition(
            .jellyfinAdminPassword, "", .secret(placeholder: ""), .secrets,
            help: "Password of Jellyfin's admin user, generated by `mediaserver wire` when it completes Jellyfin's"
                + " startup wizard.",
            mayBeEmpty: true),
        SettingDefinition(
            .alertDiscordWebhookURL, "", .secret(placeholder: ""), .secrets,
            help: "Discord webhook URL for alerts; when set, alerts go to Discord (re-render after a change)."
                + " Alertmanager reads it from /run/secrets, never from a rendered file.",
            mayBeEmpty: true),
        SettingDefinition(
            .alertSMTPPassword, "", .secret(placeholder: ""), .secrets,
            help: "Password of the SMTP account that sends alert e-mail (read from /run/secrets by Alertmanager).",
            mayBeEmpty: true),
        SettingDefinition(
            .grafanaAdminUser, "admin", .text, .operations, help: "Name of Grafana's admin user."),
        SettingDefinition(
            .alertEmailTo, "", .text, .operations,
            help: "Address that receives alert e-mail (critical alerts). Set → e-mail is on; re-render after a change.",
            mayBeEmpty: true),
        SettingDefinition(
            .alertSMTPSmarthost, "", .text, .operations,
            help: "SMTP server and port for alert e-mail, e.g. smtp.example.com:587 (STARTTLS required).",
            mayBeEmpty: true),
        SettingDefinition(
            .alertSMTPFrom, "", .text, .operations,
            help: "Sender address of alert e-mail.",
            mayBeEmpty: true),
        SettingDefinition(
            .alertSMTPUsername, "", .text, .operations,
            help: "SMTP login for alert e-mail; usually the sender address.",
            mayBeEmpty: true),
        SettingDefinition(
            .watchtowerSchedule, "0 0 4 * * *", .cronWithSeconds, .operations,
            help: "When Watchtower updates opted-in containers: six fields, seconds first (04:00 daily)."),
        SettingDefinition(
            .rcloneRemote, "gdrive:mediaserver-borg", .text, .operations,
            help: "rclone remote and path for the off-site copy; configure the remote with `rclone config`."),
        SettingDefinition(
            .upgradeHealthTimeout, "300", .seconds(10...3600), .operations,
            help: "Seconds `mediaserver upgrade` waits for an upgraded service to become healthy before it rolls"
                + " the service back (its previous image and its config folder as they were)."),
    ]

    /// All settings: the fixed ones, the API keys (required ones first), one port setting per published port and
    /// one image tag setting per service, in catalog order.
    public static func definitions(for services: [Service] = Catalog.services) -> [SettingDefinition] {
        let apiKeys = services.compactMap { service -> SettingDefinition? in
            guard let apiKey = service.apiKey, let key = service.apiKeySetting else { return nil }
            switch apiKey.origin {
            case .generated, .copiedFromApp(required: true):
                return SettingDefinition(
                    key, "CHANGE_ME", .secret(placeholder: "CHANGE_ME"), .secrets, help: apiKey.help)
            case .copiedFromApp(required: false):
                return SettingDefinition(
                    key, "", .secret(placeholder: ""), .secrets, help: apiKey.help, mayBeEmpty: true)
            }
        }
        let required = apiKeys.filter { !$0.mayBeEmpty }
        let optional = apiKeys.filter(\.mayBeEmpty)
        let ports = services.flatMap { service in
            service.ports.map { port in
                SettingDefinition(
                    port.settingKey, String(port.hostPort.value), .port, .ports,
                    help: "\(service.name) web port on the host (container port \(port.containerPort)).")
            }
        }
        // One tag setting per service, written by `mediaserver upgrade`; its default is the catalog's pin.
        let tags = services.map { service in
            SettingDefinition(
                service.imageTagSetting, service.image.tag,
                .imageTag(repository: service.image.repository, scheme: service.image.scheme), .imageTags,
                help: "\(service.name) image tag (\(service.image.repository)); unset: the catalog's pin.")
        }
        return base + required + ownSecrets + optional + afterAPIKeys + FrontDoor.settings + UsenetProvider.settings
            + ports + tags
    }
}
