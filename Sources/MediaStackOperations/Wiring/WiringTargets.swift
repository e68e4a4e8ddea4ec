import Foundation
import MediaStack
import MediaStackRendering

/// The desired wiring of the enabled apps, derived from the catalog and the settings: which app is told about
/// which other app, at which address inside `media_net`, with which key.
public struct WiringTargets: Sendable {
    /// The apps `mediaserver wire` calls, in the order it wires them.
    public static let wiredApps: [ServiceName] = [
        .prowlarr, .sonarr, .radarr, .jellyfin, .plex, .jellyseerr, .overseerr, .tautulli, .sabnzbd,
    ]

    /// The media folders the *arr apps file into and Jellyfin reads (HostDirectories creates them under DATA_ROOT,
    /// mounted at /data).
    public static let tvFolder = "/data/media/tv"
    public static let moviesFolder = "/data/media/movies"
    /// SABnzbd's categories, one per *arr app.
    public static let tvCategory = "tv"
    public static let moviesCategory = "movies"

    public let stack: Stack
    public let secrets: EnvSecretStore
    /// `--url NAME=URL` overrides of the address this host reaches an app at.
    public let overrides: [ServiceName: URL]

    public init(stack: Stack, secrets: EnvSecretStore, overrides: [ServiceName: URL] = [:]) {
        self.stack = stack
        self.secrets = secrets
        self.overrides = overrides
    }

    /// Parses `NAME=URL` options.
    public static func parseOverrides(_ options: [String]) throws(WiringSetupError) -> [ServiceName: URL] {
        var result: [ServiceName: URL] = [:]
        for option in options {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let url = URL(string: parts[1]), let scheme = url.scheme,
                ["http", "https"].contains(scheme), url.host != nil
            else { throw .invalidURL(option) }
            guard let name = ServiceName(parts[0]), wiredApps.contains(name) else { throw .unknownURLTarget(parts[0]) }
            result[name] = url
        }
        return result
    }

    /// Where this host reaches `app`: the override, else the address `mediaserver health` probes
    /// (`ProbeTarget.hostAddress`: its published port on LAN_IP, or on loopback where it is published only there).
    public func baseURL(_ app: ServiceName) -> URL? {
        if let url = overrides[app] { return url }
        guard let service = stack.service(app), let (host, port) = ProbeTarget.hostAddress(of: service, in: stack)
        else { return nil }
        return URL(string: "http://\(host):\(port)")
    }

    /// Where the other containers reach `app` on `media_net`: its service name and container port.
    public func internalURL(_ app: ServiceName) -> String? {
        guard let service = stack.service(app), let port = service.ports.first?.containerPort else { return nil }
        return "http://\(app.rawValue):\(port)"
    }

    /// The `.env` setting of an app's API key, as the catalog declares it.
    func apiKeySetting(_ app: ServiceName) -> String {
        stack.service(app)?.apiKeySetting ?? "\(app.settingPrefix)_API_KEY"
    }

    /// A key from `.env`, unless unset or still the placeholder.
    func key(_ setting: String) -> String? {
        guard let value = secrets[setting], value != "CHANGE_ME" else { return nil }
        return value
    }

    /// An app whose own key `.env` lacks: a failure when `init` should have generated it, else a person's step.
    func pendingKey(_ app: ServiceName, _ setting: String) -> (any AppWiring)? {
        guard let apiKey = stack.service(app)?.apiKey, case .copiedFromApp = apiKey.origin else { return nil }
        return PendingKeyWiring(app: app, setting: setting, whereToFind: apiKey.help)
    }

    static func missingKey(_ app: ServiceName, _ setting: String, for purpose: String) -> WiringFailure {
        WiringFailure(
            app: app, call: ".env", message: "\(setting) is not set, so \(purpose) cannot be wired",
            fix: "run `mediaserver init --force` (it keeps existing secrets and generates the missing ones), then"
                + " `mediaserver up`")
    }

    /// The wiring of every enabled app, and the failures found before any call (a key missing from `.env`).
    public func wirings() -> (apps: [any AppWiring], failures: [WiringFailure]) {
        var apps: [any AppWiring] = []
        var failures: [WiringFailure] = []
        // A Seerr key missing from .env waits for `init` (pending) or is a failure naming the setting.
        func seerrKey(_ app: ServiceName, _ setting: String) -> String? {
            if let apiKey = key(setting) { return apiKey }
            if let pending = pendingKey(app, setting) {
                apps.append(pending)
            } else {
                failures.append(Self.missingKey(app, setting, for: "\(app)"))
            }
            return nil
        }
        for app in Self.wiredApps where stack.isEnabled(app) {
            guard let base = baseURL(app) else { continue }
            switch app {
            case .prowlarr, .sonarr, .radarr:
                let setting = apiKeySetting(app)
                guard let apiKey = key(setting) else {
                    failures.append(Self.missingKey(app, setting, for: "\(app)"))
                    continue
                }
                let (desired, secrets, missing) = servarrObjects(app)
                failures += missing
                apps.append(
                    ServarrWiring(
                        app: app, base: base, apiKey: apiKey, keySetting: setting, desired: desired, secrets: secrets))
                let indexers = stack.settings.indexers
                if app == .prowlarr && !indexers.isEmpty {
                    apps.append(
                        ProwlarrIndexerWiring(base: base, apiKey: apiKey, keySetting: setting, indexers: indexers))
                }
            case .jellyfin:
                apps.append(JellyfinWiring(base: base, libraries: JellyfinWiring.defaultLibraries))
            case .plex:
                let token = PlexTokenWiring(
                    preferences: PlexTokenWiring.preferences(configRoot: stack.settings[.configRoot]))
                apps.append(token)
                guard let plex = stack.service(.plex) else { continue }
                apps.append(
                    PlexLibraryWiring(token: token, base: base, libraries: PlexLibraryWiring.libraries(mountedIn: plex))
                )
            case .jellyseerr:
                guard stack.isEnabled(.jellyfin), let jellyfin = stack.service(.jellyfin),
                    let jellyfinPort = jellyfin.ports.first?.containerPort
                else { continue }
                let setting = apiKeySetting(app)
                guard let apiKey = seerrKey(app, setting) else { continue }
                apps.append(
                    SeerrWiring(
                        app: app, base: base, apiKey: apiKey, keySetting: setting,
                        jellyfinHost: ServiceName.jellyfin.rawValue,
                        jellyfinPort: jellyfinPort.value, libraries: JellyfinWiring.defaultLibraries.map(\.name),
                        servers: seerrServers()))
            case .overseerr:
                let setting = apiKeySetting(app)
                guard let apiKey = seerrKey(app, setting) else { continue }
                apps.append(
                    SeerrWiring(
                        app: app, base: base, apiKey: apiKey, keySetting: setting, jellyfinHost: nil, jellyfinPort: 0,
                        libraries: [], servers: seerrServers(), plex: seerrPlex()))
            case .tautulli:
                guard stack.isEnabled(.plex) else { continue }
                let setting = apiKeySetting(app)
                guard let apiKey = key(setting) else {
                    failures.append(Self.missingKey(app, setting, for: "Tautulli's Plex server"))
                    continue
                }
                if let wiring = tautulli(base: base, apiKey: apiKey, keySetting: setting) { apps.append(wiring) }
            case .sabnzbd:
                let (wiring, failure) = usenetServer(base: base)
                if let wiring { apps.append(wiring) }
                if let failure { failures.append(failure) }
            default:
                continue
            }
        }
        return (apps + seerrProxyTrust(apps), failures)
    }

    /// Tautulli → Plex, at the address Tautulli's container reaches it, as Homepage's Plex widget does
    /// (`PrometheusRenderer.host(of:)`): Plex runs on the host network, reached through the host gateway (the
    /// `host.docker.internal:host-gateway` extra host the catalog gives both), at its container port.
    func tautulli(base: URL, apiKey: String, keySetting: String) -> TautulliWiring? {
        guard let tautulli = stack.service(.tautulli), let plex = stack.service(.plex), let plexBase = baseURL(.plex),
            let plexPort = plex.port?.container
        else { return nil }
        let seeder = FirstStartSeeder(stack: stack, seeds: [])
        guard let configFile = seeder.hostPath(of: "/config/config.ini", in: tautulli) else { return nil }
        return TautulliWiring(
            base: base, apiKey: apiKey, keySetting: keySetting, configFile: configFile, seeder: seeder,
            fileOwner: tautulli.dataOwner(
                puid: stack.settings.numericID(.puid), pgid: stack.settings.numericID(.pgid)),
            plexBase: plexBase, plexHost: PrometheusRenderer.host(of: plex), plexPort: plexPort.value)
    }

    /// Plex as Overseerr reaches it: Plex runs on the host network, so through the host gateway that
    /// `extra_hosts` maps in Overseerr's container (as Homepage's Plex widget does), at the port Plex answers on.
    func seerrPlex() -> SeerrWiring.PlexServer? {
        guard stack.isEnabled(.plex), let plex = stack.service(.plex), let base = baseURL(.plex),
            let port = plex.health?.http?.port
        else { return nil }
        return SeerrWiring.PlexServer(
            hostname: PrometheusRenderer.host(of: plex), port: port.value, base: base,
            libraries: PlexLibraryWiring.libraries(mountedIn: plex),
            preferences: PlexTokenWiring.preferences(configRoot: stack.settings[.configRoot]))
    }

    /// Sonarr and Radarr as Seerr's servers, each with its root folder and its key.
    func seerrServers() -> [SeerrWiring.ArrServer] {
        [("sonarr", "Sonarr", Self.tvFolder), ("radarr", "Radarr", Self.moviesFolder)].compactMap {
            (kind, name, folder) -> SeerrWiring.ArrServer? in
            let service = ServiceName(stringLiteral: kind)
            guard stack.isEnabled(service), let port = stack.service(service)?.ports.first?.containerPort,
                let apiKey = key(apiKeySetting(service)), let base = baseURL(service)
            else { return nil }
            return SeerrWiring.ArrServer(
                kind: kind, name: name, hostname: kind, port: port.value, apiKey: apiKey, rootFolder: folder, base: base
            )
        }
    }

    /// Prowlarr → Sonarr and Radarr; Sonarr and Radarr → SABnzbd and their root folder.
    func servarrObjects(_ app: ServiceName) -> (objects: [DesiredObject], secrets: [String], missing: [WiringFailure]) {
        var objects: [DesiredObject] = []
        var secrets: [String] = []
        var missing: [WiringFailure] = []
        switch app {
        case .prowlarr:
            guard let prowlarrURL = internalURL(.prowlarr) else { break }
            for target in [ServiceName.sonarr, .radarr] where stack.isEnabled(target) {
                let setting = apiKeySetting(target)
                guard let targetKey = key(setting), let targetURL = internalURL(target) else {
                    missing.append(Self.missingKey(app, setting, for: "Prowlarr's application \(target)"))
                    continue
                }
                secrets.append(targetKey)
                objects.append(
                    Self.prowlarrApplication(target, prowlarrURL: prowlarrURL, baseURL: targetURL, targetKey))
            }
        case .sonarr, .radarr:
            let tv = app == .sonarr
            if stack.isEnabled(.sabnzbd), let sabnzbd = stack.service(.sabnzbd),
                let port = sabnzbd.ports.first?.containerPort
            {
                if let sabKey = key(apiKeySetting(.sabnzbd)) {
                    secrets.append(sabKey)
                    objects.append(
                        Self.sabnzbdClient(tv: tv, host: ServiceName.sabnzbd.rawValue, port: port.value, apiKey: sabKey)
                    )
                } else {
                    missing.append(
                        Self.missingKey(app, apiKeySetting(.sabnzbd), for: "\(app)'s download client SABnzbd"))
                }
            }
            objects.append(Self.rootFolder(tv ? Self.tvFolder : Self.moviesFolder))
        default:
            break
        }
        return (objects, secrets, missing)
    }

    /// Sonarr or Radarr as an application of Prowlarr, syncing indexers both ways (`fullSync`). Fields from
    /// Prowlarr/Prowlarr `src/NzbDrone.Core/Applications/Sonarr/SonarrSettings.cs` and `…/Radarr/RadarrSettings.cs`
    /// (`prowlarrUrl`, `baseUrl`, `apiKey`, `syncCategories`: their default Newznab categories); `syncLevel` from
    /// `src/Prowlarr.Api.V1/Applications/ApplicationResource.cs` (enum `disabled|addOnly|fullSync`).
    static func prowlarrApplication(_ target: ServiceName, prowlarrURL: String, baseURL: String, _ apiKey: String)
        -> DesiredObject
    {
        let sonarr = target == .sonarr
        let categories: [Int] =
            sonarr
            ? [5000, 5010, 5020, 5030, 5040, 5045, 5050, 5090]
            : [2000, 2010, 2020, 2030, 2040, 2045, 2050, 2060, 2070, 2080, 2090]
        var fields: [(String, WireJSON)] = [
            ("prowlarrUrl", .string(prowlarrURL)), ("baseUrl", .string(baseURL)), ("apiKey", .string(apiKey)),
            ("syncCategories", .array(categories.map { .number(Double($0)) })),
        ]
        if sonarr { fields.append(("animeSyncCategories", [5070])) }
        let name = sonarr ? "Sonarr" : "Radarr"
        return ServarrWiring.provider(
            ServarrWiring.applications, name: name, implementation: name, configContract: "\(name)Settings",
            members: ["syncLevel": "fullSync"], fields: fields, secretFields: ["apiKey"])
    }

    /// SABnzbd as the download client of Sonarr (category `tv`) or Radarr (`movies`). Fields from Sonarr/Sonarr
    /// `src/NzbDrone.Core/Download/Clients/Sabnzbd/SabnzbdSettings.cs` at v4.0.19.2979 (`host`, `port`, `useSsl`,
    /// `urlBase`, `apiKey`, `tvCategory`) and Radarr's (`movieCategory`); `protocol` from the openapi enum
    /// `DownloadProtocol` (`usenet`).
    static func sabnzbdClient(tv: Bool, host: String, port: Int, apiKey: String) -> DesiredObject {
        ServarrWiring.provider(
            ServarrWiring.downloadClients, name: "SABnzbd", implementation: "Sabnzbd",
            configContract: "SabnzbdSettings",
            members: [
                "enable": true, "protocol": "usenet", "priority": 1, "removeCompletedDownloads": true,
                "removeFailedDownloads": true,
            ],
            fields: [
                ("host", .string(host)), ("port", .number(Double(port))), ("useSsl", false), ("urlBase", ""),
                ("apiKey", .string(apiKey)),
                (tv ? "tvCategory" : "movieCategory", .string(tv ? tvCategory : moviesCategory)),
            ],
            secretFields: ["apiKey"])
    }

    /// A root folder (`RootFolderResource`: `path`).
    static func rootFolder(_ path: String) -> DesiredObject {
        DesiredObject(
            collection: ServarrWiring.rootFolders, key: path, body: ["path": .string(path)],
            compared: ["path": .string(path)])
    }
}
