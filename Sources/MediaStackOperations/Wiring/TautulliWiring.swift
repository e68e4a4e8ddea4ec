import Foundation
import MediaStack

/// Tautulli connected to the Plex server, its first-run wizard done, once Plex's token is in `.env`.
///
/// Why a file and a restart rather than an API call (Tautulli/Tautulli at v2.17.1, the version of the pinned
/// lscr.io/linuxserver/tautulli v2.17.1-ls230):
/// - API v2 (`plexpy/api2.py`, plus the `@addtoapi` methods of `plexpy/webserve.py`) sets no PMS setting with the
///   api_key: `get_server_id` only looks the identifier up, `get_server_info` and `get_settings` only read, and
///   `import_config` skips `PMS_TOKEN` and `FIRST_RUN_COMPLETE` (`config._DO_NOT_IMPORT_KEYS`). The wizard saves
///   through `configUpdate` and `save_pms_token`, web routes behind the login and the CSRF check, not the API.
/// - The `TAUTULLI_<KEY>` environment overrides (`Config.get_setting`) would lock the settings page
///   (`set_setting` refuses such a key) and cannot carry Plex's identifier, which exists only once Plex has run.
/// - So the keys go into `config.ini` (`[PMS]` `pms_ip`, `pms_port`, `pms_ssl`, `pms_url`, `pms_url_manual`,
///   `pms_is_remote`, `pms_identifier`, `pms_token`; `[General]` `first_run_complete`: `_CONFIG_DEFINITIONS` in
///   `plexpy/config.py`), which Tautulli reads only at start. It writes the file from memory when it stops
///   (`plexpy.shutdown` → `CONFIG.write()`), so a write while it runs is lost: the container is stopped, the file
///   merged and written, and the container started again. Tautulli's start then does what the wizard's last
///   step does (`startup_refresh`: `plextv.get_server_resources` with the token, ip and port,
///   `activity_pinger.connect_server` once `FIRST_RUN_COMPLETE`, and the users and libraries refresh of
///   `REFRESH_USERS_ON_STARTUP` and `REFRESH_LIBRARIES_ON_STARTUP`, both on by default).
///
/// The connection is one object: while the file names no server of its own (every key empty or Tautulli's
/// default, the wizard not done), all of it is written; a server someone chose (in the wizard or the file) is left
/// alone. A connection at this Plex's address whose token or identifier is no longer Plex's (the server claimed
/// again, or set up anew) is brought up to date the same way, as Overseerr's Plex server is. Plex's identifier comes from its unauthenticated `GET /identity` (`machineIdentifier` of
/// `MediaContainer`: LukeHagar/plex-api-spec, and Tautulli's own `get_server_id` fallback reads the same).
public struct TautulliWiring: AppWiring {
    public let app: ServiceName = .tautulli
    /// Tautulli on this host.
    public let base: URL
    public let apiKey: String
    public let keySetting: String
    /// `config.ini` on this host.
    public let configFile: String
    /// Reads and writes the file by the seeder's rules; `fileOwner` is the owner a new file gets.
    let seeder: FirstStartSeeder
    let fileOwner: (uid: UInt32, gid: UInt32)?
    /// Plex on this host, for `/identity`.
    public let plexBase: URL
    /// Plex as Tautulli's container reaches it: Plex runs on the host network, reached through the host gateway.
    public let plexHost: String
    public let plexPort: Int

    /// After Plex's own wiring, which stores the token in `.env`.
    public var wave: Int { 1 }

    init(
        base: URL, apiKey: String, keySetting: String, configFile: String, seeder: FirstStartSeeder,
        fileOwner: (uid: UInt32, gid: UInt32)?, plexBase: URL, plexHost: String, plexPort: Int
    ) {
        self.base = base
        self.apiKey = apiKey
        self.keySetting = keySetting
        self.configFile = configFile
        self.seeder = seeder
        self.fileOwner = fileOwner
        self.plexBase = plexBase
        self.plexHost = plexHost
        self.plexPort = plexPort
    }

    static let kind = "Plex server"
    var key: String { "\(plexHost):\(plexPort)" }

    /// Tautulli's defaults of the connection's keys (`_CONFIG_DEFINITIONS`): a key at its default is not a choice.
    static let defaults: [String: String] = [
        "pms_ip": "127.0.0.1", "pms_port": "32400", "pms_ssl": "0", "pms_url": "", "pms_url_manual": "0",
        "pms_is_remote": "0", "pms_identifier": "", "pms_token": "",
    ]

    /// The keys of the connection, in the order they are written.
    func desired(token: String, identifier: String) -> [(section: String, key: String, value: String)] {
        [
            ("PMS", "pms_ip", plexHost), ("PMS", "pms_port", String(plexPort)), ("PMS", "pms_ssl", "0"),
            ("PMS", "pms_url", "http://\(plexHost):\(plexPort)"), ("PMS", "pms_url_manual", "0"),
            ("PMS", "pms_is_remote", "0"), ("PMS", "pms_identifier", identifier), ("PMS", "pms_token", token),
            ("General", "first_run_complete", "1"),
        ]
    }

    /// What the file holds.
    enum State: Equatable {
        /// No server of its own: ours goes in.
        case unconnected
        /// Connected to our Plex with `.env`'s token.
        case ours
        /// Connected to our Plex's address, with these keys no longer Plex's.
        case stale(drifted: [String])
        /// A server someone chose.
        case theirs
    }

    /// `identifier`: Plex's own, when it could be asked (nil: not compared).
    static func state(
        of document: ConfigObjDocument, token: String, identifier: String? = nil, host: String, port: Int
    ) -> State {
        func value(_ key: String, _ section: String = "PMS") -> String {
            document.value(key, in: [section])?.items.joined(separator: ", ") ?? ""
        }
        let chosen = defaults.contains { key, fallback in
            let current = value(key)
            return !current.isEmpty && current != fallback
        }
        let wizardDone = value("first_run_complete", "General") == "1"
        guard chosen || wizardDone else { return .unconnected }
        guard wizardDone, value("pms_ip") == host, value("pms_port") == String(port) else { return .theirs }
        let current = value("pms_identifier")
        let drifted =
            (value("pms_token") == token ? [] : ["pms_token"])
            + (current.isEmpty || identifier.map { $0 != current } == true ? ["pms_identifier"] : [])
        return drifted.isEmpty ? .ours : .stale(drifted: drifted)
    }

    public func plan(_ context: WiringContext) async throws(WiringFailure) -> [WiringAction] {
        guard let token = context.secrets[PlexTokenWiring.tokenSetting] else {
            return [
                WiringAction(
                    app: app, kind: Self.kind, key: key,
                    change: .needsPerson(
                        "Plex has no token in .env yet: claim Plex (see plex), then run `mediaserver wire`"))
            ]
        }
        let document = try document()
        var state = Self.state(of: document, token: token, host: plexHost, port: plexPort)
        // Plex set up anew has another identifier (a Plex that does not answer now is not compared); any other
        // drift is written with Plex's identifier anyway.
        if state == .ours, let identifier = try? await plexIdentifier(context) {
            state = Self.state(of: document, token: token, identifier: identifier, host: plexHost, port: plexPort)
        }
        let change: WiringChange =
            switch state {
            case .unconnected: .create
            case .ours: .unchanged
            case .stale(let drifted): .update(drifted: drifted)
            case .theirs: .userMade
            }
        return [WiringAction(app: app, kind: Self.kind, key: key, change: change)]
    }

    public func apply(_ action: WiringAction, _ context: WiringContext) async throws(WiringFailure) {
        guard action.changesSomething, let token = context.secrets[PlexTokenWiring.tokenSetting] else { return }
        let identifier = try await plexIdentifier(context)
        // Tautulli answers with the key in .env before it is stopped: a restart it could not confirm is not made.
        let request = serverInfoRequest
        let response = try await context.call(app, at: base, request, expecting: [200, 400], secrets: [apiKey])
        guard response.json?["response"]?["result"]?.string == "success" else {
            throw refusal(request, response, response.json?["response"]?["message"]?.string)
        }
        guard let containers = context.containers else {
            throw WiringFailure(
                app: app, call: "docker compose stop \(app)", message: "no container control in this run",
                fix: "run `mediaserver wire` on the host that runs the stack")
        }
        try await containers.stop(app)
        // Stopped, Tautulli has written its memory to the file: merge into what it wrote, then start it in any case.
        var written: WiringFailure?
        do throws(WiringFailure) {
            try write(token: token, identifier: identifier)
        } catch {
            written = error
        }
        try await containers.start(app)
        if let written { throw written }
        try await confirm(identifier, context)
    }

    /// Reads config.ini as Tautulli would; a missing file is an empty one (Tautulli fills in its defaults).
    func document() throws(WiringFailure) -> ConfigObjDocument {
        do throws(SeedError) {
            return try ConfigObjDocument(seeder.read(configFile) ?? "", path: configFile)
        } catch {
            throw WiringFailure(app: app, call: "read \(configFile)", message: error.message, fix: error.fix)
        }
    }

    /// Writes the connection into the file, all of it or nothing, keeping the file's mode and owner, unless the
    /// file (as Tautulli just wrote it) names a server of its own.
    func write(token: String, identifier: String) throws(WiringFailure) {
        var document = try document()
        switch Self.state(of: document, token: token, identifier: identifier, host: plexHost, port: plexPort) {
        case .unconnected, .stale: break
        case .ours, .theirs: return
        }
        for entry in desired(token: token, identifier: identifier) {
            document.set(entry.key, .single(entry.value), in: [entry.section])
        }
        let exists = FileManager.default.fileExists(atPath: configFile)
        let plan = FirstStartSeeder.Plan(
            service: app, path: configFile, exists: exists, contents: document.text, notes: [], owner: fileOwner)
        do throws(SeedError) {
            try seeder.apply([plan])
        } catch {
            throw WiringFailure(app: app, call: "write \(configFile)", message: error.message, fix: error.fix)
        }
    }

    /// Plex's `machineIdentifier`, from `GET /identity` (XML, or JSON when Plex honours `Accept`).
    func plexIdentifier(_ context: WiringContext) async throws(WiringFailure) -> String {
        let request = WiringRequest("GET", "/identity", headers: ["Accept": "application/json"])
        let response = try await context.call(.plex, at: plexBase, request)
        if let identifier = response.json?["MediaContainer"]?["machineIdentifier"]?.string, !identifier.isEmpty {
            return identifier
        }
        let text = String(decoding: response.body, as: UTF8.self)
        if let start = text.range(of: "machineIdentifier=\"") {
            let rest = text[start.upperBound...]
            if let end = rest.firstIndex(of: "\""), rest.startIndex < end { return String(rest[..<end]) }
        }
        throw WiringFailure(
            app: .plex, call: request.call, status: response.status, message: "the answer names no machineIdentifier",
            fix: "check that \(plexBase.absoluteString) is Plex Media Server (`mediaserver health`)")
    }

    /// Waits for Tautulli to answer again and checks it runs with the connection: API v2 `get_server_info`
    /// (`plexpy/webserve.py`, the PMS keys of its configuration), in Tautulli's envelope
    /// `{"response": {"result", "message", "data"}}` (`API2._api_responds`).
    func confirm(_ identifier: String, _ context: WiringContext) async throws(WiringFailure) {
        let request = serverInfoRequest
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        var lastError: WiringTransportError?
        while clock.now < deadline {
            let response: WiringResponse
            do {
                response = try await context.transport.send(request, to: base, timeout: context.timeout)
            } catch {
                // Still starting: the port is not open yet.
                lastError = error
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            let envelope = response.json?["response"]
            guard response.succeeded, envelope?["result"]?.string == "success", let data = envelope?["data"] else {
                if response.status >= 500 || response.status == 404 {
                    try? await Task.sleep(for: .seconds(1))
                    continue
                }
                throw refusal(request, response, envelope?["message"]?.string)
            }
            guard data["pms_identifier"]?.string == identifier, data["pms_ip"]?.string == plexHost else {
                throw WiringFailure(
                    app: app, call: request.call, status: response.status,
                    message: "Tautulli restarted without the Plex server written to \(configFile)",
                    fix: "read Tautulli's log (`docker logs \(app)`), then run `mediaserver wire` again")
            }
            return
        }
        throw WiringFailure.unreachable(
            app: app, request: request, error: lastError ?? .timedOut(seconds: 120))
    }

    var serverInfoRequest: WiringRequest {
        WiringRequest("GET", "/api/v2?apikey=\(JellyfinWiring.escape(apiKey))&cmd=get_server_info")
    }

    /// Tautulli refuses a wrong key with HTTP 400 and the message `Invalid apikey` (`API2._api_validate`, then
    /// `_api_run` turns every error but 500 into 400).
    func refusal(_ request: WiringRequest, _ response: WiringResponse, _ message: String?) -> WiringFailure {
        let text = WiringFailure.redact(message ?? WiringFailure.appMessage(response), [apiKey])
        let fix =
            text == "Invalid apikey"
            ? "\(keySetting) in .env is not the key in \(configFile): make them match, then run `mediaserver wire`"
            : "read Tautulli's log (`docker logs \(app)`), then run `mediaserver wire` again"
        return WiringFailure(app: app, call: request.call, status: response.status, message: text, fix: fix)
    }
}
