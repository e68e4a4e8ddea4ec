import MediaStack

/// The keys `mediaserver up` writes into an app's own configuration file before the app first starts, so the app
/// comes up with the API key `.env` holds (the one Homepage and exportarr use) and wired to its neighbours.
///
/// Only apps that read a key from a file get one here. Sonarr, Radarr and Prowlarr take theirs from the environment
/// (`<APP>__AUTH__APIKEY`), and so do both Seerr instances (`API_KEY`): see `Catalog`.
public struct FirstStartSeed: Hashable, Sendable {
    /// The file's syntax, as the app reads it.
    public enum Format: Hashable, Sendable {
        /// configobj INI (SABnzbd, Tautulli).
        case configObj
        /// YAML, read by Dynaconf (Bazarr).
        case yaml
        /// XML read by .NET's `XmlSerializer` into an object with defaults (Jellyfin), under the element `root`.
        case xml(root: String)
    }

    /// A value we want in the file.
    public enum Value: Hashable, Sendable {
        case text(String)
        /// The value of a `.env` secret; left out (and said so) while `.env` does not set it.
        case setting(String)
        case integer(Int)
        case boolean(Bool)
        /// Items that must be in a list; the user's items are kept.
        case listIncluding([String])
        /// The digest of the password a `.env` secret holds, in Tautulli's form (`TautulliPasswordDigest`); left
        /// out (and said so) while `.env` does not set it. A digest the file has is checked against `.env`'s
        /// password rather than compared as text, since each digest has its own random salt.
        case passwordDigest(setting: String)
    }

    /// One key: `path` is the section path and the key last (`["misc", "api_key"]`).
    public struct Entry: Hashable, Sendable {
        public let path: [String]
        public let value: Value

        public init(_ path: [String], _ value: Value) {
            self.path = path
            self.value = value
        }

        /// The key as a dotted name for messages, e.g. `misc.api_key`.
        public var name: String { path.joined(separator: ".") }
    }

    /// Keys that belong together as one object of the app (a SABnzbd category), in a section under `section`'s
    /// parent. The groups of a parent are written only while the file has no such parent at all: a file with
    /// `[categories]` holds the user's (or the app's) own choice of categories, including one deleted on purpose,
    /// and is left as it is.
    public struct Group: Hashable, Sendable {
        public let section: [String]
        public let entries: [Entry]

        /// The section whose absence lets the group in, e.g. `["categories"]`.
        public var parent: [String] { Array(section.dropLast()) }
    }

    public let service: ServiceName
    /// The file inside the container, e.g. `/config/sabnzbd.ini`; its host path follows from the service's mounts.
    public let containerPath: String
    public let format: Format
    public let entries: [Entry]
    public let groups: [Group]

    /// Every seed of the enabled services of `stack`, in catalog order.
    ///
    /// `hostName` (this machine's name) joins SABnzbd's host whitelist, so its web UI answers at
    /// `http://<hostname>:8080` too.
    public static func all(for stack: Stack, hostName: String? = nil) -> [FirstStartSeed] {
        [jellyfin(stack), sabnzbd(stack, hostName: hostName), bazarr(stack), tautulli(stack)].compactMap { $0 }
    }

    /// Behind the front door, Jellyfin trusts the forwarded headers of Caddy's fixed address, and no other: it then
    /// sees each client's own address (its LAN-or-remote decisions, its log lines for the fail2ban jail) instead
    /// of Caddy's for everyone.
    ///
    /// Jellyfin reads `network.xml` from its configuration folder (`JELLYFIN_CONFIG_DIR=/config/config` in the
    /// official image, jellyfin/jellyfin-packaging docker/Dockerfile; the file name from jellyfin/jellyfin v10.11.11
    /// Jellyfin.Server/Migrations/PreStartupRoutines/CreateNetworkConfiguration.cs, which also leaves an existing
    /// file alone) through `XmlSerializer` into `MediaBrowser.Common/Net/NetworkConfiguration.cs`, whose
    /// `string[] KnownProxies` is empty by default; elements the file lacks keep their defaults.
    /// `Jellyfin.Server/Extensions/ApiServiceCollectionExtensions.cs` ConfigureForwardHeaders: with no known proxy
    /// X-Forwarded-For/-Proto/-Host are ignored; otherwise they are honoured from those addresses (an IP, a subnet,
    /// or a host name resolved once at start, which is why the address is given, not the name `caddy`).
    static func jellyfin(_ stack: Stack) -> FirstStartSeed? {
        guard stack.isEnabled(FrontDoor.proxy), let address = FrontDoor.proxyAddress(stack.settings),
            stack.service("jellyfin").map(FrontDoor.joinsNetwork) == true
        else { return nil }
        let root = "NetworkConfiguration"
        return FirstStartSeed(
            service: "jellyfin", containerPath: "/config/config/network.xml", format: .xml(root: root),
            entries: [Entry([root, "KnownProxies"], .listIncluding([address]))], groups: [])
    }

    /// SABnzbd reads `sabnzbd.ini` from `--config-file /config` (linuxserver/docker-sabnzbd
    /// `root/etc/s6-overlay/s6-rc.d/svc-sabnzbd/run`; `SABnzbd.py` `evaluate_inipath` appends `sabnzbd.ini`) with
    /// configobj (`sabnzbd/config.py` `read_config`). Keys: `sabnzbd/cfg.py` (`api_key`, `nzb_key`, `download_dir`,
    /// `complete_dir`, `host_whitelist` all in `[misc]`), categories `[[name]]` under `[categories]` with `order`
    /// and `dir` (`sabnzbd/config.py` `ConfigCat`).
    static func sabnzbd(_ stack: Stack, hostName: String?) -> FirstStartSeed? {
        guard let service = stack.service(.sabnzbd), let apiKey = service.apiKeySetting else { return nil }
        // check_hostname (`sabnzbd/interface.py`) answers 403 to a Host header that is not an IP address,
        // localhost, *.local or whitelisted; Sonarr, Radarr, exportarr, Homepage and Blackbox call it by name.
        // With a whitelist already present SABnzbd no longer adds its own hostname (`cfg.py` config_conversions).
        var names = [service.name.rawValue, service.containerName]
        if let hostname = service.hostname { names.append(hostname) }
        // Behind the front door browsers ask for sabnzbd.DOMAIN (Caddy passes the Host header on).
        if let domain = FrontDoor.domain(stack.settings), stack.isEnabled(FrontDoor.proxy) {
            names.append(FrontDoor.host(of: service.name, domain: domain))
        }
        // This machine's name, as typed in a browser: the full name and its first label.
        if let hostName = hostName?.lowercased(), isHostName(hostName) {
            names.append(hostName)
            if let label = hostName.split(separator: ".").first { names.append(String(label)) }
        }
        var entries = [
            Entry(["misc", "api_key"], .setting(apiKey)),
            Entry(["misc", "nzb_key"], .setting(SettingKey.sabnzbdNZBKey.rawValue)),
            Entry(["misc", "host_whitelist"], .listIncluding(names.uniqued())),
        ]
        var groups: [Group] = []
        // The TRaSH layout: downloads under the one media tree, so imports are hardlinks or atomic moves.
        if let usenet = service.mounts.first(where: { $0.source == .data("usenet") })?.target {
            entries += [
                Entry(["misc", "download_dir"], .text("\(usenet)/incomplete")),
                Entry(["misc", "complete_dir"], .text("\(usenet)/complete")),
            ]
            // Without the catch-all `*` SABnzbd recreates its suggested categories (`config.py` get_categories),
            // replacing ours; `*` as SABnzbd itself makes it. Sonarr's and Radarr's default categories are `tv`
            // and `movies`; each completes into its own folder below complete_dir.
            groups = [
                Group(
                    section: ["categories", "*"],
                    entries: [
                        Entry(["categories", "*", "name"], .text("*")),
                        Entry(["categories", "*", "order"], .integer(0)),
                        Entry(["categories", "*", "pp"], .text("3")),
                        Entry(["categories", "*", "script"], .text("None")),
                        Entry(["categories", "*", "priority"], .integer(0)),
                    ]),
                category("movies", order: 1),
                category("tv", order: 2),
            ]
        }
        return FirstStartSeed(
            service: service.name, containerPath: "/config/sabnzbd.ini", format: .configObj, entries: entries,
            groups: groups)
    }

    static func category(_ name: String, order: Int) -> Group {
        Group(
            section: ["categories", name],
            entries: [
                Entry(["categories", name, "name"], .text(name)),
                Entry(["categories", name, "order"], .integer(order)),
                Entry(["categories", name, "dir"], .text(name)),
            ])
    }

    /// Bazarr reads `/config/config/config.yaml` (`--config /config`, linuxserver/docker-bazarr `svc-bazarr/run`;
    /// `bazarr/app/config.py` `config_yaml_file`) through Dynaconf, fills every missing key from its validators and
    /// rewrites the file. Keys and types from those validators: `auth.apikey` (str), `general.use_sonarr` (bool),
    /// `sonarr.ip` (str), `sonarr.port` (int), `sonarr.base_url` (str), `sonarr.ssl` (bool), `sonarr.apikey` (str);
    /// the same for Radarr.
    static func bazarr(_ stack: Stack) -> FirstStartSeed? {
        guard let service = stack.service(.bazarr), let apiKey = service.apiKeySetting else { return nil }
        var entries = [Entry(["auth", "apikey"], .setting(apiKey))]
        for name: ServiceName in [.sonarr, .radarr] {
            guard let app = stack.service(name), let port = app.port?.container.value, let key = app.apiKeySetting
            else { continue }
            let section = name.rawValue
            entries += [
                Entry(["general", "use_\(section)"], .boolean(true)),
                // Bazarr and the app share media_net and see the media tree at the same /data/media path.
                Entry([section, "ip"], .text(app.name.rawValue)),
                Entry([section, "port"], .integer(port)),
                Entry([section, "base_url"], .text("/")),
                Entry([section, "ssl"], .boolean(false)),
                Entry([section, "apikey"], .setting(key)),
            ]
        }
        return FirstStartSeed(
            service: service.name, containerPath: "/config/config/config.yaml", format: .yaml, entries: entries,
            groups: [])
    }

    /// Tautulli reads `/config/config.ini` (`--datadir /config`, linuxserver/docker-tautulli `svc-tautulli/run`;
    /// `Tautulli.py` joins `config.FILENAME`) with configobj; `[General] api_key` and `api_enabled`
    /// (`plexpy/config.py` `_CONFIG_DEFINITIONS`). It generates a key only when `api_key` is empty
    /// (`plexpy/__init__.py`). A key in the file, rather than Tautulli's `TAUTULLI_API_KEY` environment override,
    /// is also masked in Tautulli's logs (`Config._blacklist` reads the file's values only).
    ///
    /// The login (Tautulli/Tautulli v2.17.1): `[General] http_username` and `http_password` (`_CONFIG_DEFINITIONS`,
    /// both empty by default). `plexpy/webstart.py` turns the login on when `http_password` is set: a login form
    /// (`http_basic_auth` 0, the default) whose `webauth.check_credentials` compares the user name and checks the
    /// password with `hashing_passwords.check_hash`, so the file holds the digest (`http_hashed_password` 1, the
    /// default; `Config._upgrade` hashes a plain one only while upgrading a file older than config_version 20).
    /// The API key keeps working with a login: `/api` has `tools.auth_basic.on` False, `WebInterface.api` carries
    /// no `requireAuth`, and `webauth.check_csrf_token` skips `/api`. So Homepage's widget keeps working
    /// (gethomepage/homepage v1.12.3 `src/widgets/tautulli/widget.js`: `{url}/api/v2?apikey={key}&cmd=…`), and so
    /// do `mediaserver wire` (`TautulliWiring`: the API and the file) and the health probe (`/status`, whose
    /// `WebInterface.status` carries no `requireAuth`).
    static func tautulli(_ stack: Stack) -> FirstStartSeed? {
        guard let service = stack.service(.tautulli), let apiKey = service.apiKeySetting else { return nil }
        return FirstStartSeed(
            service: service.name, containerPath: "/config/config.ini", format: .configObj,
            entries: [
                Entry(["General", "api_key"], .setting(apiKey)),
                Entry(["General", "api_enabled"], .integer(1)),
                Entry(["General", "http_username"], .text(tautulliUser)),
                Entry(["General", "http_password"], .passwordDigest(setting: SettingKey.tautulliPassword.rawValue)),
            ],
            groups: [])
    }

    /// The user name of Tautulli's login.
    public static let tautulliUser = "admin"

    static func isHostName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 253 && name.first != "-"
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
    }
}

extension Array where Element: Hashable {
    fileprivate func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
