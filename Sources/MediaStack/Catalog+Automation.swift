import Foundation

extension Catalog {
    /// The *arr apps, their Usenet downloader, subtitles and profile sync (compose.yml).
    static let automation: [Service] = [
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
    ]

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
