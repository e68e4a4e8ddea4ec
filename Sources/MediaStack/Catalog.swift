import Foundation

/// Every service of the seed architecture, each declared exactly once.
///
/// To add a service, append one `Service(...)` value to `services` below; compose files, `.env.example`, checks and
/// probes all derive from it.
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

    static let core: [Service] = [
        Service(
            "jellyfin", stack: .core,
            summary: "Media server with VAAPI hardware transcoding",
            image: ImageReference("jellyfin/jellyfin", tag: "10.11.11", scheme: .jellyfin),
            identity: .user,
            port: 8096,
            mounts: [
                Mount(.config("config"), "/config"),
                Mount(.config("cache"), "/cache"),
                // Players only read the library; Sonarr, Radarr and Bazarr write it.
                Mount(.data("media"), "/data/media", readOnly: true),
            ],
            devices: ["\(gpuDevice):\(gpuDevice)"],
            // The official image does not add its user to the device's group by itself.
            groupAdd: [renderGroup],
            environment: [EnvironmentVariable("TZ", "${TZ}")],
            health: .http("/health", via: .curl),
            dashboard: .init(
                group: "Media", icon: "jellyfin.png", description: "Watch your library",
                // Widget API version 1 until Jellyfin 10.12.
                // The count blocks show only with enableBlocks (Homepage's component.jsx defaults it to false).
                widget: HomepageWidget("jellyfin", fields: ["movies", "series", "episodes"], enableBlocks: true)),
            apiKey: .fromApp(
                "Jellyfin API key for Homepage's widget and the wiring; `mediaserver wire` creates and stores it."),
            // cache/: resized images, extracted subtitles and attachments; log/: rotating logs; transcodes: HLS
            // segments of running streams. metadata/ (artwork, custom images) is kept: a restore without it is
            // blank until a long library refresh.
            backup: .init(excludes: ["cache", "config/log", "config/data/transcodes", "config/transcodes"]),
            // JELLYFIN_LOG_DIR is /config/log in the official image; log_YYYYMMDD.log rolls daily. Jellyfin itself
            // locks an account after 3 (user) or 5 (admin) failures, so 5 per hour also catches spraying.
            authLog: AuthLog(directory: "config/log", file: "log_*.log", filter: .jellyfin),
            // Runs as ${PUID}:${PGID} from the start; /dev/dri access comes from group_add, not a capability.
            security: .unprivileged
        ),
        Service(
            "plex", stack: .core,
            summary: "Media server on the host network for client discovery and DLNA",
            image: ImageReference(
                "lscr.io/linuxserver/plex", tag: "1.43.3.10828-00f62d37d-ls315", scheme: .linuxServer),
            identity: .linuxServer,
            network: .host(reason: "client discovery (GDM) and DLNA need the host's broadcast domain"),
            port: 32400,
            hostPorts: [
                HostPort(32469, .tcp, "Plex DLNA server"),
                HostPort(8324, .tcp, "Plex Companion (Roku)"),
                HostPort(1900, .udp, "Plex DLNA discovery"),
                HostPort(5353, .udp, "Bonjour/Avahi discovery"),
                HostPort(32410, .udp, "GDM network discovery"),
                HostPort(32412, .udp, "GDM network discovery"),
                HostPort(32413, .udp, "GDM network discovery"),
                HostPort(32414, .udp, "GDM network discovery"),
            ],
            mounts: [
                Mount(.config("config"), "/config"),
                Mount(.config("transcode"), "/transcode"),
                // Players only read the library; Sonarr, Radarr and Bazarr write it.
                Mount(.data("media"), "/data/media", readOnly: true),
            ],
            devices: ["\(gpuDevice):\(gpuDevice)"],
            environment: [
                EnvironmentVariable("VERSION", "docker"),
                EnvironmentVariable("PLEX_CLAIM", "${PLEX_CLAIM}"),
            ],
            health: .http("/identity", via: .curl),
            dashboard: .init(
                group: "Media", icon: "plex.png", description: "Plex Media Server",
                widget: HomepageWidget("plex", fields: ["streams", "movies", "tv"])),
            apiKey: .fromApp(
                "Plex token (X-Plex-Token) for Homepage's widget: PlexOnlineToken in Plex's Preferences.xml.",
                setting: "PLEX_TOKEN"),
            // Plex's own guidance: Cache, Codecs, Crash Reports, Diagnostics, Logs and Updates are disposable.
            // Media/ holds generated video-preview (BIF) and chapter thumbnails, often tens of GB, regenerated by
            // the scheduled tasks; Drivers/ is downloaded again; the dated `*.db-YYYY-MM-DD` copies Plex makes of
            // its databases are superseded by pre-backup.sh's consistent copies. Metadata/ (artwork) is kept.
            backup: .init(
                excludes: [
                    "transcode",
                    "\(plexData)/Cache",
                    "\(plexData)/Codecs",
                    "\(plexData)/Crash Reports",
                    "\(plexData)/Diagnostics",
                    "\(plexData)/Drivers",
                    "\(plexData)/Logs",
                    "\(plexData)/Media",
                    "\(plexData)/Updates",
                    "\(plexData)/Plug-in Support/Caches",
                    "\(plexData)/Plug-in Support/Databases/*.db-20[0-9][0-9]-*",
                ]),
            // Sign-in happens at plex.tv, so PMS logs no password failure; the filter counts 401 responses in the
            // request trace (debug logging, on by default). Stale client tokens also get 401s: high threshold,
            // short ban.
            authLog: AuthLog(
                directory: "\(plexData)/Logs", file: "Plex Media Server.log",
                filter: .plex, maxRetry: 30, findTime: "10m", banTime: "1h")
        ),
        seerr("jellyseerr", hostPort: 5055, requires: "jellyfin", audience: "Jellyfin"),
        seerr("overseerr", hostPort: 5155, requires: "plex", audience: "Plex"),
        Service(
            "tautulli", stack: .core,
            summary: "Plex activity analytics and history",
            image: ImageReference("lscr.io/linuxserver/tautulli", tag: "v2.17.1-ls230", scheme: .linuxServer),
            identity: .linuxServer,
            port: 8181,
            mounts: [Mount(.config(""), "/config")],
            health: .http("/status", via: .curl),
            requires: ["plex"],
            dashboard: .init(
                group: "Media", icon: "tautulli.png", description: "Plex statistics",
                widget: HomepageWidget("tautulli")),
            apiKey: .generated(
                help: "Tautulli's API key (32 hex characters), for Homepage's widget. `mediaserver up` writes it into"
                    + " config.ini before Tautulli's first start; an existing config.ini keeps its own."),
            backup: .init(excludes: ["cache", "logs", "backups"]),
            unjailedLogin: "Tautulli's optional login logs no failed-attempt line with the client address"
        ),
        servarr(
            "sonarr", tag: "4.0.19.2979-ls316", port: 8989, summary: "TV series automation",
            mediaMount: Mount(.data(""), "/data"), description: "TV shows",
            widgetFields: ["wanted", "queued", "series"],
            keyHelp: "Sonarr's API key, given to Sonarr, Homepage and Recyclarr alike (32 hex characters)."),
        servarr(
            "radarr", tag: "6.2.1.10461-ls308", port: 7878, summary: "Movie automation",
            mediaMount: Mount(.data(""), "/data"), description: "Movies",
            widgetFields: ["wanted", "missing", "queued", "movies"],
            keyHelp: "Radarr's API key, given to Radarr, Homepage and Recyclarr alike (32 hex characters)."),
        servarr(
            "prowlarr", tag: "2.5.2.5491-ls155", port: 9696, summary: "Indexer management for the *arr apps",
            mediaMount: nil, description: "Indexers",
            widgetFields: ["numberOfGrabs", "numberOfQueries", "numberOfFailGrabs", "numberOfFailQueries"],
            keyHelp: "Prowlarr's API key (32 hex characters)."),
        Service(
            "sabnzbd", stack: .core,
            summary: "Usenet downloader",
            image: ImageReference("lscr.io/linuxserver/sabnzbd", tag: "5.0.4-ls263", scheme: .linuxServer),
            identity: .linuxServer,
            // SABnzbd answers 403 to any Host header missing from its whitelist, which it seeds from the
            // hostname at first start; `sabnzbd` lets exportarr, Homepage and Blackbox reach it by name.
            hostname: "sabnzbd",
            port: .published(sabnzbdPort),
            mounts: [Mount(.config(""), "/config"), Mount(.data("usenet"), "/data/usenet")],
            health: .http("/api?mode=version&output=json", via: .curl),
            dashboard: .init(
                group: "Downloads", icon: "sabnzbd.png", description: "Usenet downloads", title: "SABnzbd",
                widget: HomepageWidget("sabnzbd", fields: ["rate", "queue", "timeleft"])),
            apiKey: .generated(
                help: "SABnzbd's API key (32 hex characters), for Homepage, exportarr, Sonarr and Radarr."
                    + " `mediaserver up` writes it into sabnzbd.ini before SABnzbd's first start; an existing"
                    + " sabnzbd.ini keeps its own."),
            // admin/ (queue and history1.db) is kept; downloads live under /data/usenet, not here.
            backup: .init(excludes: ["logs", "Downloads/incomplete"]),
            unjailedLogin: "no fail2ban filter is verified against SABnzbd's failed-login lines yet; keep it on the LAN"
        ),
        Service(
            "bazarr", stack: .core,
            summary: "Subtitle management",
            image: ImageReference("lscr.io/linuxserver/bazarr", tag: "v1.6.0-ls360", scheme: .linuxServer),
            identity: .linuxServer,
            port: 6767,
            mounts: [Mount(.config(""), "/config"), Mount(.data("media"), "/data/media")],
            health: .http("/api/system/ping", via: .curl),
            dashboard: .init(
                group: "Automation", icon: "bazarr.png", description: "Subtitles",
                widget: HomepageWidget("bazarr", fields: ["missingEpisodes", "missingMovies"])),
            apiKey: .generated(
                help: "Bazarr's API key (32 hex characters), for Homepage's widget. `mediaserver up` writes it into"
                    + " config/config.yaml before Bazarr's first start; an existing config.yaml keeps its own."),
            // backup/ holds Bazarr's own zip backups, redundant with Borg.
            backup: .init(excludes: ["log", "cache", "backup"]),
            unjailedLogin: "no fail2ban filter is verified against Bazarr's failed-login lines yet; keep it on the LAN"
        ),
        Service(
            "recyclarr", stack: .core,
            summary: "Syncs TRaSH-Guides quality and naming profiles to Sonarr and Radarr, on demand",
            image: ImageReference("ghcr.io/recyclarr/recyclarr", tag: "8.7.1", scheme: .recyclarr),
            identity: .user,
            mounts: [
                Mount(.config(""), "/config"),
                Mount(.repository("recyclarr/recyclarr.yml"), "/config/recyclarr.yml", readOnly: true),
            ],
            environment: [
                EnvironmentVariable("TZ", "${TZ}"),
                EnvironmentVariable("SONARR_API_KEY", "${SONARR_API_KEY}"),
                EnvironmentVariable("RADARR_API_KEY", "${RADARR_API_KEY}"),
            ],
            health: nil,
            restart: .no,
            profiles: ["tools"],
            // Everything in its folder is regenerable (Git clones of the guides, cache, logs) and its one config
            // file is rendered from this repository. Being an on-demand tool, the folder may not even exist, and
            // borgmatic refuses a missing source directory.
            backup: .none,
            security: .unprivileged
        ),
        Service(
            "fail2ban", stack: .core,
            summary: "Bans abusive addresses with the host's iptables",
            // 1.1.0-r6 is the git tag of the sixth rebuild; the image workflow publishes it as 1.1.0
            // (crazy-max/docker-fail2ban .github/workflows/build.yml: type=match,pattern=(.*)-r,group=1).
            image: ImageReference("crazymax/fail2ban", tag: "1.1.0", scheme: .crazymax),
            identity: .imageDefault(reason: "runs as root to manage iptables"),
            network: .host(reason: "bans must land in the host's iptables (INPUT and DOCKER-USER)"),
            mounts: [
                Mount(.config(""), "/data"),
                Mount(.repository("security/fail2ban/jail.d"), "/data/jail.d", readOnly: true),
                Mount(.repository("security/fail2ban/filter.d"), "/data/filter.d", readOnly: true),
                Mount(.host("/var/log"), "/var/log", readOnly: true),
            ],
            environment: [
                EnvironmentVariable("TZ", "${TZ}"),
                EnvironmentVariable("F2B_LOG_TARGET", "STDOUT"),
                EnvironmentVariable("F2B_LOG_LEVEL", "INFO"),
                EnvironmentVariable("F2B_DB_PURGE_AGE", "1d"),
            ],
            health: .command("fail2ban-client", "ping"),
            capAdd: ["NET_ADMIN", "NET_RAW"],
            backup: .none,
            readsAuthLogs: true,
            security: SecurityProfile(exceptions: [
                SecurityException(.networkAdmin, "inserts ban rules into the host's INPUT and DOCKER-USER chains")
            ])
        ),
        Service(
            "watchtower", stack: .core,
            summary: "Updates opted-in containers on a schedule and reports through Shoutrrr",
            image: ImageReference("nickfedor/watchtower", tag: "1.21.0", scheme: .watchtower),
            identity: .imageDefault(reason: "talks to the Docker API through the socket"),
            // Its health API (WATCHTOWER_HTTP_API_PORT, default 8080), reached on media_net only.
            port: .unpublished(8080),
            mounts: [Mount(.host(dockerSocket), dockerSocket)],
            environment: [
                EnvironmentVariable("TZ", "${TZ}"),
                EnvironmentVariable("WATCHTOWER_SCHEDULE", "${WATCHTOWER_SCHEDULE}"),
                EnvironmentVariable("WATCHTOWER_LABEL_ENABLE", "true"),
                EnvironmentVariable("WATCHTOWER_CLEANUP", "true"),
                EnvironmentVariable("WATCHTOWER_NOTIFICATION_URL", "${WATCHTOWER_NOTIFICATION_URL}"),
                // Only the unauthenticated probes /livez, /readyz, /startupz on 8080, reachable on media_net only
                // (nicholas-fedor/watchtower v1.21.0 docs/http-api/endpoints/health/index.md).
                EnvironmentVariable("WATCHTOWER_HTTP_API_ENDPOINTS", "health"),
            ],
            // `/watchtower --health-check` exits 0 whatever happens (cmd/root.go returns before any check unless it
            // is PID 1). /readyz answers 503 while the Docker client is not connected. The image is FROM scratch
            // (no shell, no HTTP client): Blackbox probes it, and the image's own HEALTHCHECK is disabled.
            health: .http("/readyz", via: .outsideOnly),
            backup: .none,
            security: SecurityProfile(exceptions: [
                SecurityException(
                    .dockerSocket,
                    "pulls images and recreates containers: it writes to the Docker API, which a read-only proxy refuses"
                )
            ])
        ),
        Service(
            "borgmatic", containerName: "mediaserver-backup", stack: .core,
            summary: "Encrypted, deduplicated Borg backups of every app's configuration (daily 03:30)",
            image: ImageReference("ghcr.io/borgmatic-collective/borgmatic", tag: "2.1.7", scheme: .borgmatic),
            identity: .imageDefault(reason: "reads every app's configuration, whatever its owner"),
            mounts: [
                // The paths backup/config/config.yaml and the crontabs name (BackupPaths in MediaStackRendering).
                Mount(.configRoot(""), "/mnt/source", readOnly: true),
                Mount(.backupRepository, "/mnt/borg-repository"),
                // Consistent SQLite copies made by pre-backup.sh; outside /mnt/source, kept between runs.
                Mount(.volume("borg-dumps"), "/mnt/borg-dumps"),
                Mount(.repository("backup/config"), "/etc/borgmatic.d", readOnly: true),
                // excludes.txt and the hook scripts.
                Mount(.repository("backup"), "/etc/mediaserver/backup", readOnly: true),
                Mount(.config("borg-config"), "/root/.config/borg"),
                Mount(.config("borg-cache"), "/root/.cache/borg"),
                Mount(.config("state"), "/root/.local/state/borgmatic"),
                Mount(.configRoot("node_exporter/textfile"), "/textfile"),
            ],
            environment: [
                EnvironmentVariable("TZ", "${TZ}"),
                EnvironmentVariable("BORG_PASSPHRASE", "${BORG_PASSPHRASE}"),
            ],
            // The image's scheduler is busybox crond under s6; a valid config and a running crond mean backups happen.
            health: .command("bash", "-c", "borgmatic config validate >/dev/null && pgrep -x crond >/dev/null"),
            stopGracePeriod: "10m",
            // borg-cache/ is rebuilt from the repository. borg-config/security/ holds this client's nonce and
            // manifest timestamp, which Borg rewrites during every backup; restoring an old nonce would risk AES
            // counter reuse, so it is never restored. state/ only records when checks last ran. Key files in
            // borg-config/keys/ are kept.
            backup: .init(excludes: ["borg-cache", "borg-config/security", "state"])
        ),
        Service(
            "rclone", containerName: "rclone_backup", stack: .core,
            summary: "Copies the Borg repository off-site while holding Borg's lock (daily 04:10)",
            // The borgmatic image brings borg (for `borg with-lock`) and cron; rclone comes from Alpine.
            image: ImageReference("ghcr.io/borgmatic-collective/borgmatic", tag: "2.1.7", scheme: .borgmatic),
            identity: .imageDefault(reason: "takes Borg's lock in a repository owned by root"),
            mounts: [
                Mount(.backupRepository, "/mnt/borg-repository"),
                // crontab.txt only: the image's cron reads /etc/borgmatic.d/crontab.txt.
                Mount(.repository("backup/rclone"), "/etc/borgmatic.d", readOnly: true),
                // offsite.sh.
                Mount(.repository("backup"), "/etc/mediaserver/backup", readOnly: true),
                Mount(.config(""), "/config/rclone"),
                // mediaserver_offsite.prom for node_exporter.
                Mount(.configRoot("node_exporter/textfile"), "/textfile"),
            ],
            environment: [
                EnvironmentVariable("TZ", "${TZ}"),
                EnvironmentVariable("EXTRA_PKGS", "rclone"),
                EnvironmentVariable("RCLONE_CONFIG", "/config/rclone/rclone.conf"),
                EnvironmentVariable("RCLONE_REMOTE", "${RCLONE_REMOTE}"),
            ],
            health: .command("pgrep", "-x", "crond"),
            requires: ["borgmatic"]
        ),
    ]

    // MARK: - Front door (compose.yml, only while DOMAIN is set)

    static let frontDoor: [Service] = [
        Service(
            FrontDoor.proxy, stack: .core,
            summary: "Reverse proxy: one HTTPS subdomain of DOMAIN per web UI, the only published ports",
            // Official image; tags from caddyserver/caddy-docker stackbrew-config.yaml (2.11.2, variant alpine).
            image: ImageReference("caddy", tag: "2.11.2-alpine", scheme: .caddy),
            identity: .imageDefault(reason: "binds ports 80 and 443 inside the container"),
            // HTTPS; `Stack` adds port 80 (HTTP-01 challenges and the redirect to HTTPS) as CADDY_HTTP_PORT.
            port: .published(443),
            mounts: [
                Mount(.repository("caddy/Caddyfile"), "/etc/caddy/Caddyfile", readOnly: true),
                // XDG_DATA_HOME=/data (certificates, the internal CA's root) and XDG_CONFIG_HOME=/config
                // (caddy-docker 2.11/alpine/Dockerfile).
                Mount(.config("data"), "/data"),
                Mount(.config("config"), "/config"),
            ],
            // The admin API listens on localhost:2019 inside the container only.
            health: .command("wget", "-q", "-O", "/dev/null", "http://localhost:2019/config/"),
            // Plex is on the host network; Caddy reaches it through the host gateway.
            extraHosts: ["host.docker.internal:host-gateway"],
            // The internal CA's root key and the issued certificates: losing them means trusting a new root on
            // every device.
            // Root inside binds 80 and 443 with Docker's default capabilities; no capability is added.
            backup: .init(excludes: ["config"])
        ),
        Service(
            FrontDoor.authenticator, stack: .core,
            summary: "Single sign-on with two factors for the admin apps, asked by Caddy's forward_auth",
            // Official image; Docker Hub tags are the release numbers without the v (authelia/authelia
            // .buildkite/hooks/post-command keeps `x.y.z` tags).
            image: ImageReference("authelia/authelia", tag: "4.39.20", scheme: .authelia),
            identity: .puidPgid,
            // Reached by Caddy on media_net only.
            port: .unpublished(FrontDoor.authenticatorPort),
            mounts: [
                Mount(.repository("authelia/configuration.yml"), "/config/configuration.yml", readOnly: true),
                // users_database.yml (written by `mediaserver up`, mode 0600), db.sqlite3, notification.txt
                // and the log: outside the repository, backed up by borgmatic.
                Mount(.config(""), "/data"),
                // Created with the app's owner before the first start: Authelia opens its log file but makes no
                // folder.
                Mount(.config("logs"), "/data/logs"),
            ],
            environment: [
                EnvironmentVariable("AUTHELIA_SESSION_SECRET_FILE", FrontDoor.sessionSecret.path),
                EnvironmentVariable("AUTHELIA_STORAGE_ENCRYPTION_KEY_FILE", FrontDoor.storageEncryptionKey.path),
                EnvironmentVariable(
                    "AUTHELIA_IDENTITY_VALIDATION_RESET_PASSWORD_JWT_SECRET_FILE",
                    FrontDoor.resetPasswordJWTSecret.path),
            ],
            // authelia/authelia healthcheck.sh: wget on /api/health, port 9091.
            health: .http("/api/health", via: .wget),
            secrets: [FrontDoor.sessionSecret, FrontDoor.storageEncryptionKey, FrontDoor.resetPasswordJWTSecret],
            // db.sqlite3 (TOTP and WebAuthn registrations) and users_database.yml are kept; pre-backup.sh copies
            // the database consistently. The first-login note holds a password in clear: never in a backup.
            backup: .init(excludes: ["logs", "first-login.txt"]),
            // Failed first and second factors, from the log file configuration.yml names.
            authLog: AuthLog(directory: "logs", file: "authelia.log", filter: .authelia, findTime: "10m")
        ),
    ]

    // MARK: - Dashboard stack (homepage-stack.yml)

    static let dashboard: [Service] = [
        Service(
            "homepage", stack: .dashboard,
            summary: "Central dashboard with links and widgets",
            image: ImageReference("ghcr.io/gethomepage/homepage", tag: "v1.12.3", scheme: .homepage),
            identity: .puidPgid,
            port: .published(homepagePort),
            // Container status comes from the socket proxy: homepage/docker.yaml names
            // `host: socket-proxy, port: 2375` (Catalog.dockerProxyHost / dockerProxyPort), never the socket.
            mounts: [Mount(.repository("homepage"), "/app/config", readOnly: true)],
            environment: [
                // Every /api call, the healthcheck included, is refused unless its Host header is listed here.
                EnvironmentVariable(
                    "HOMEPAGE_ALLOWED_HOSTS", "${LAN_IP:-127.0.0.1}:${HOMEPAGE_PORT},homepage:\(homepagePort)"),
                EnvironmentVariable("LOG_TARGETS", "stdout"),
            ],
            health: .http("/api/healthcheck", via: .wget),
            requires: [socketProxy],
            // The Plex widget reaches Plex (host network) through the host gateway.
            extraHosts: ["host.docker.internal:host-gateway"],
            backup: .none,
            showsWidgets: true,
            // The entrypoint starts as root and drops to PUID with su-exec, which needs SETUID/SETGID: no cap_drop.
            security: SecurityProfile(dockerAPI: .proxy),
            autoUpdate: true
        ),
        Service(
            "dozzle", stack: .dashboard,
            summary: "Live container logs",
            image: ImageReference("amir20/dozzle", tag: "v10.7.3", scheme: .dozzle),
            identity: .imageDefault(reason: "the image's own user; it reads the Docker API over TCP"),
            port: .published(8080, onHost: 9999),
            environment: [
                EnvironmentVariable("DOZZLE_NO_ANALYTICS", "true"),
                // Dozzle never writes to Docker; the proxy grants it containers, their logs, events and info only.
                EnvironmentVariable("DOZZLE_REMOTE_HOST", "tcp://\(dockerProxyHost):\(dockerProxyPort)"),
            ],
            // `/dozzle healthcheck` GETs /healthcheck (amir20/dozzle internal/healthcheck/http.go), the route that
            // answers 500 when the Docker API is unreachable; as an HTTP probe Blackbox probes it too.
            health: .http("/healthcheck", via: .ownCommand(["/dozzle", "healthcheck"])),
            dependsOn: [socketProxy],
            requires: [socketProxy],
            dashboard: .init(group: "Monitoring", icon: "dozzle.png", description: "Container logs"),
            backup: .none,
            security: SecurityProfile(dropAllCapabilities: true, memoryLimit: "256m", dockerAPI: .proxy),
            autoUpdate: true
        ),
        Service(
            socketProxy, stack: .dashboard,
            summary: "Read-only Docker API for Homepage and Dozzle (GET/HEAD on containers, events, info)",
            image: ImageReference("lscr.io/linuxserver/socket-proxy", tag: "3.4.6-r0-ls101", scheme: .linuxServer),
            identity: .imageDefault(reason: "runs as root to open the Docker socket; the image takes no PUID/PGID"),
            port: .unpublished(dockerProxyPort),
            mounts: [Mount(.host(dockerSocket), dockerSocket, readOnly: true)],
            environment: [
                // POST=0 refuses every write; only the sections Homepage and Dozzle read are opened.
                EnvironmentVariable("POST", "0"),
                EnvironmentVariable("CONTAINERS", "1"),
                // Dozzle's log views: since 3.4.3-r0-ls92 (2026-08-18) /containers/{id}/logs is denied unless
                // ALLOW_LOGS is set, whatever CONTAINERS says (linuxserver/docker-socket-proxy
                // root/templates/haproxy.cfg: `http-request deny if { path … /(logs) } !allow_logs`).
                EnvironmentVariable("ALLOW_LOGS", "1"),
                EnvironmentVariable("EVENTS", "1"),
                EnvironmentVariable("INFO", "1"),
                EnvironmentVariable("PING", "1"),
                EnvironmentVariable("VERSION", "1"),
                EnvironmentVariable("EXEC", "0"),
                EnvironmentVariable("IMAGES", "0"),
                EnvironmentVariable("NETWORKS", "0"),
                EnvironmentVariable("VOLUMES", "0"),
                EnvironmentVariable("LOG_LEVEL", "warning"),
            ],
            health: .http("/_ping", via: .wget, startPeriod: 10),
            backup: .none,
            security: SecurityProfile(
                exceptions: [
                    SecurityException(
                        .dockerSocket,
                        "the one holder of the socket for readers: it answers GET/HEAD only (POST=0) on media_net,"
                            + " with no published port")
                ],
                readOnlyRootFilesystem: true, tmpfs: ["/run"], memoryLimit: "64m")
        ),
        Service(
            "filebrowser", stack: .dashboard,
            summary: "Simple file manager for the media tree",
            image: ImageReference("filebrowser/filebrowser", tag: "v2.63.23", scheme: .filebrowser),
            identity: .user,
            port: .published(80, onHost: 8081),
            mounts: [
                Mount(.data(""), "/srv"),
                Mount(.config("database"), "/database"),
                Mount(.config("config"), "/config"),
            ],
            health: .http("/health", via: .wget),
            // No widget: Homepage's File Browser widget needs a user's password.
            dashboard: .init(
                group: "Tools", icon: "filebrowser.png", description: "Browse the media tree", title: "File Browser"),
            unjailedLogin: "File Browser logs no failed-login line with the client address; it is archived upstream,"
                + " keep it on the LAN",
            security: .unprivileged
        ),
        Service(
            "prometheus", stack: .dashboard,
            summary: "Metrics database and scraper (15 days retention)",
            image: ImageReference("prom/prometheus", tag: "v3.14.0", scheme: .prometheus),
            identity: .user,
            // Loopback only: Prometheus has no login; people read it through Grafana (or an SSH tunnel).
            port: .loopback(9090),
            mounts: [
                Mount(.repository("prometheus"), "/etc/prometheus", readOnly: true),
                Mount(.config("data"), "/prometheus"),
            ],
            command: [
                "--config.file=/etc/prometheus/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                "--storage.tsdb.retention.time=15d",
                // No --web.enable-lifecycle: nothing here reloads it over HTTP, and it would let any container on
                // media_net POST /-/quit unauthenticated. `mediaserver up` recreates it when its files change.
            ],
            health: .http("/-/healthy", via: .wget),
            // Node Exporter is on the host network; Prometheus scrapes it through the host gateway.
            extraHosts: ["host.docker.internal:host-gateway"],
            dashboard: .init(
                group: "Monitoring", icon: "prometheus.png", description: "Metrics",
                widget: HomepageWidget("prometheus", fields: ["targets_up", "targets_down", "targets_total"])),
            metrics: .init(job: "prometheus"),
            backup: .none,
            security: .unprivileged
        ),
        Service(
            "alertmanager", stack: .dashboard,
            summary: "Routes Prometheus alerts to Discord and e-mail",
            // v0.28.0 is the first release whose discord_configs accept webhook_url_file.
            image: ImageReference("prom/alertmanager", tag: "v0.32.1", scheme: .prometheus),
            identity: .user,
            port: 9093,
            mounts: [
                Mount(.repository("alertmanager"), "/etc/alertmanager", readOnly: true),
                Mount(.config("data"), "/alertmanager"),
            ],
            command: [
                "--config.file=/etc/alertmanager/alertmanager.yml",
                "--storage.path=/alertmanager",
                // One instance: no cluster listener (it would bind 0.0.0.0:9094).
                "--cluster.listen-address=",
            ],
            health: .http("/-/healthy", via: .wget),
            requires: ["prometheus"],
            // Alertmanager never expands variables in its config; it reads these files when it sends.
            secrets: [alertDiscordWebhook, alertSMTPPassword],
            dashboard: .init(group: "Monitoring", icon: "alertmanager.png", description: "Alert routing"),
            metrics: .init(job: "alertmanager"),
            // Silences live in data/; the notification log beside them is rebuilt.
            backup: .init(excludes: ["data/nflog"]),
            security: .unprivileged
        ),
        Service(
            "grafana", stack: .dashboard,
            summary: "Dashboards over Prometheus",
            image: ImageReference("grafana/grafana", tag: "13.2.0", scheme: .grafana),
            identity: .user,
            port: .published(3000, onHost: 3001),
            mounts: [
                Mount(.config(""), "/var/lib/grafana"),
                Mount(.repository("grafana/provisioning"), "/etc/grafana/provisioning", readOnly: true),
                Mount(.repository("grafana/dashboards"), "/var/lib/grafana/dashboards", readOnly: true),
            ],
            environment: [
                EnvironmentVariable("GF_SECURITY_ADMIN_USER", "${GRAFANA_ADMIN_USER}"),
                EnvironmentVariable("GF_SECURITY_ADMIN_PASSWORD", "${GRAFANA_ADMIN_PASSWORD}"),
                EnvironmentVariable("GF_USERS_ALLOW_SIGN_UP", "false"),
                EnvironmentVariable("GF_ANALYTICS_REPORTING_ENABLED", "false"),
            ],
            health: .http("/api/health", via: .curl),
            dependsOn: ["prometheus"],
            requires: ["prometheus"],
            // No widget: Homepage's Grafana widget logs in with a password, and Homepage should not hold the admin's.
            dashboard: .init(group: "Monitoring", icon: "grafana.png", description: "Dashboards"),
            backup: .init(excludes: ["dashboards", "csv", "png"]),
            unjailedLogin: "Grafana's own brute-force protection locks a user out after repeated failed logins",
            security: .unprivileged
        ),
        Service(
            "blackbox_exporter", stack: .dashboard,
            summary: "HTTP probes of every service's health endpoint",
            image: ImageReference("prom/blackbox-exporter", tag: "v0.28.0", scheme: .prometheus),
            identity: .imageDefault(reason: "the image's own unprivileged user"),
            // Exporters: Prometheus scrapes them on media_net; nobody opens them from another machine.
            port: .loopback(9115),
            mounts: [
                Mount(.repository("prometheus/blackbox.yml"), "/etc/blackbox_exporter/config.yml", readOnly: true)
            ],
            health: .http("/-/healthy", via: .wget),
            // Plex is on the host network; the probe reaches it through the host gateway.
            extraHosts: ["host.docker.internal:host-gateway"],
            metrics: .init(job: "blackbox"),
            backup: .none,
            // HTTP probes only: ICMP probes would need NET_RAW back.
            security: SecurityProfile(dropAllCapabilities: true, memoryLimit: "128m"),
            autoUpdate: true
        ),
        Service(
            "cadvisor", stack: .dashboard,
            summary: "Per-container resource metrics",
            image: ImageReference("ghcr.io/google/cadvisor", tag: "0.60.5", scheme: .cadvisor),
            identity: .imageDefault(reason: "reads cgroups and the Docker state as root"),
            port: .loopback(8080, onHost: 8082),
            mounts: [
                Mount(.host("/"), "/rootfs", readOnly: true),
                Mount(.host("/var/run"), "/var/run", readOnly: true),
                Mount(.host("/sys"), "/sys", readOnly: true),
                Mount(.host("/var/lib/docker/"), "/var/lib/docker", readOnly: true),
                Mount(.host("/dev/disk/"), "/dev/disk", readOnly: true),
            ],
            devices: ["/dev/kmsg:/dev/kmsg"],
            health: .http("/healthz", via: .wget),
            // Not privileged: container CPU, memory, network and filesystem metrics come from the read-only mounts.
            // Upstream's example adds --privileged for OOM events and some disk statistics; it would hand the
            // container every capability and device, and hosts with a reduced capability set refuse it outright.
            metrics: .init(job: "cadvisor"),
            backup: .none,
            security: SecurityProfile(exceptions: [
                SecurityException(
                    .dockerSocket,
                    "reads container metadata from the runtime under /var/run and the host root, read-only"),
                SecurityException(
                    .sensitiveHostPath, "per-container metrics come from /sys, /var/lib/docker and /dev/disk, read-only"
                ),
                SecurityException(
                    .hostDevice, "/dev/kmsg carries the kernel's OOM-kill events (read where the host allows it)"),
            ]),
            autoUpdate: true
        ),
        Service(
            "node_exporter", stack: .dashboard,
            summary: "Host metrics, and the backup metrics through the textfile collector",
            image: ImageReference("prom/node-exporter", tag: "v1.12.1", scheme: .prometheus),
            identity: .imageDefault(reason: "the image's own unprivileged user reads the host read-only"),
            // In its own namespace it would report its container's interface, not the host's NICs; upstream runs it
            // with --net=host --pid=host (prometheus/node_exporter v1.12.1 README.md "Docker"). Prometheus on the
            // bridge reaches it through host.docker.internal (host-gateway), which is not loopback: it listens on
            // the host's interfaces at 9100 (docs/observability.md, docs/security.md).
            network: .host(reason: "network, netstat and process metrics must describe the host's namespaces"),
            port: 9100,
            mounts: [
                Mount(.host("/"), "/host", readOnly: true, options: ["rslave"]),
                Mount(.configRoot("node_exporter/textfile"), "/textfile", readOnly: true),
            ],
            command: [
                "--path.rootfs=/host", "--collector.textfile.directory=/textfile", "--web.listen-address=:9100",
            ],
            health: .http("/metrics", via: .wget),
            metrics: .init(job: "node"),
            backup: .none,
            security: SecurityProfile(
                exceptions: [
                    SecurityException(
                        .dockerSocket,
                        "mounts the host root read-only for filesystem metrics; it never opens the socket inside"),
                    SecurityException(.hostNamespace, "pid: host, so its process metrics count the host's processes"),
                ],
                dropAllCapabilities: true, memoryLimit: "128m"),
            autoUpdate: true,
            hostPID: true
        ),
        Service(
            "sab_exporter", stack: .dashboard,
            summary: "SABnzbd metrics through exportarr",
            image: ImageReference("ghcr.io/onedr0p/exportarr", tag: "v2.3.0", scheme: .exportarr),
            identity: .imageDefault(reason: "the image's own unprivileged user"),
            port: .loopback(sabExporterPort),
            environment: [
                // exportarr listens on 8081 unless told otherwise.
                EnvironmentVariable("PORT", "\(sabExporterPort)"),
                EnvironmentVariable("URL", "http://sabnzbd:\(sabnzbdPort)"),
                EnvironmentVariable("API_KEY", "${SABNZBD_API_KEY}"),
            ],
            command: ["sabnzbd"],
            // The image is distroless (no shell, no HTTP client): Blackbox and `mediaserver health` probe it.
            health: .http("/healthz", via: .outsideOnly),
            requires: ["sabnzbd"],
            metrics: .init(job: "sabnzbd"),
            backup: .none,
            security: SecurityProfile(dropAllCapabilities: true, memoryLimit: "128m"),
            autoUpdate: true
        ),
    ]

    // MARK: - Families

    /// Seerr serves both request portals of the seed: one instance for Jellyfin users, one for Plex users.
    static func seerr(_ name: ServiceName, hostPort: Int, requires: ServiceName, audience: String) -> Service {
        Service(
            name, stack: .core,
            summary: "Request portal (Seerr) for \(audience) users",
            image: ImageReference("ghcr.io/seerr-team/seerr", tag: "v3.1.0", scheme: .seerr),
            identity: .imageDefault(reason: "runs as node (1000); its config directory must be owned by 1000:1000"),
            port: .published(5055, onHost: hostPort),
            mounts: [Mount(.config(""), "/app/config")],
            environment: [
                EnvironmentVariable("TZ", "${TZ}"), EnvironmentVariable("LOG_LEVEL", "info"),
                // Wins over settings.json main.apiKey at every start; empty lets Seerr make its own
                // (seerr v3.1.0 server/lib/settings/index.ts, Settings.load and generateApiKey).
                EnvironmentVariable("API_KEY", "${\(name.settingPrefix)_API_KEY}"),
            ],
            // /api/v1/status asks GitHub on every call; the public settings route answers offline.
            health: .http("/api/v1/settings/public", via: .wget),
            requires: [requires],
            initProcess: true,
            dashboard: .init(
                group: "Requests", icon: "overseerr.png", description: "Requests for \(audience) users",
                widget: HomepageWidget("seerr", fields: ["pending", "approved", "available"])),
            apiKey: .generated(
                help: "\(name.title)'s API key (32 hex characters), for Homepage's widget. Seerr takes it from its"
                    + " environment (API_KEY) at every start."),
            backup: .init(excludes: ["logs", "cache"]),
            // seerr.log is a relative symlink to the daily seerr-YYYY-MM-DD.log, so it resolves under /logs too.
            authLog: AuthLog(directory: "logs", file: "seerr.log", filter: .seerr),
            // Runs as node (1000) from the start.
            security: .unprivileged
        )
    }

    /// Sonarr, Radarr and Prowlarr share image family, probe and API-key convention.
    static func servarr(
        _ name: ServiceName, tag: String, port: ServicePort, summary: String, mediaMount: Mount?, description: String,
        widgetFields: [String], keyHelp: String
    ) -> Service {
        let prefix = name.settingPrefix
        return Service(
            name, stack: .core,
            summary: summary,
            image: ImageReference("lscr.io/linuxserver/\(name.rawValue)", tag: tag, scheme: .linuxServer),
            identity: .linuxServer,
            port: port,
            mounts: [Mount(.config(""), "/config")] + (mediaMount.map { [$0] } ?? []),
            // The apps bind `<App>:Auth` from the environment over config.xml (Sonarr v4.0.19.2979
            // src/NzbDrone.Host/Bootstrap.cs, src/NzbDrone.Common/Options/AuthOptions.cs, ConfigFileProvider.cs;
            // the same in Radarr v6 and Prowlarr v2). The API key is .env's, shared with Homepage and Recyclarr.
            // Method None opens the v4 "authentication required" prompt on a new install (frontend Page: shown
            // while `authentication` is none). Forms with DisabledForLocalAddresses is the safest choice that needs
            // no account: this machine and private LAN addresses get in, any other address meets a login no
            // account can pass until the user creates one. The environment cannot create that account (it lives
            // in the app's database), and Basic is deprecated since Radarr v5. ARR_AUTH_REQUIRED=Enabled asks
            // everyone.
            environment: [
                EnvironmentVariable("\(prefix)__AUTH__APIKEY", "${\(prefix)_API_KEY}"),
                EnvironmentVariable("\(prefix)__AUTH__METHOD", "Forms"),
                EnvironmentVariable("\(prefix)__AUTH__REQUIRED", "${\(SettingKey.arrAuthRequired)}"),
            ],
            health: .http("/ping", via: .curl),
            dashboard: .init(
                group: "Automation", icon: "\(name.rawValue).png", description: description,
                widget: HomepageWidget(name.rawValue, fields: widgetFields)),
            apiKey: .generated(help: keyHelp),
            // MediaCover/: posters re-fetched on refresh; Backups/: the app's own zip backups, redundant with Borg;
            // UpdateLogs/, Sentry/: updater and crash-report scratch. asp/ (data-protection keys) is kept.
            backup: .init(excludes: ["logs", "MediaCover", "Backups", "UpdateLogs", "Sentry"]),
            // Only Auth-Failure (Warn) counts: Auth-Unauthorized (Info) is every unauthenticated request, such as an
            // expired session or a widget without a key (Servarr AuthenticationService.cs LogUnauthorized).
            authLog: AuthLog(
                directory: "logs", file: "\(name.rawValue).txt", filter: .servarr, findTime: "10m")
        )
    }
}
