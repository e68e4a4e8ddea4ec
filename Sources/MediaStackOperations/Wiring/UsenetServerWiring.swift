import Foundation
import MediaStack

/// SABnzbd holding the Usenet provider of `.env` as a news server, and the provider accepting the login.
///
/// Behaviour at this boundary, from sabnzbd/sabnzbd at 5.0.1 (the newest tag of the source read; the catalog pins
/// the image of 5.0.4, a patch release of the same line):
/// - `/api` (mounted at `/` and at url_base, SABnzbd.py) takes its parameters from the query or a form body alike
///   (CherryPy's request params; SABnzbd's own server page POSTs `mode=config&name=test_server&…` as a form,
///   interfaces/Config/templates/config_server.tmpl) and checks
///   `apikey` (`check_apikey` in sabnzbd/interface.py): none answers HTTP 403 `API Key Required`, a wrong one 403
///   `API Key Incorrect`, and a `Host` header that is neither an IP address, `localhost` nor in `host_whitelist`
///   403 `Access denied - Hostname verification failed…` (`check_hostname`).
/// - `mode=get_config&section=servers` answers `{"config": {"servers": [server…]}}`, or `{"config": {}}` while no
///   server was ever made (`_api_get_config` in sabnzbd/api.py, `get_dconfig` in sabnzbd/config.py); each server as
///   `ConfigServer.get_dict(for_public_api=True)`: `name`, `displayname`, `host`, `port`, `username`, `password`
///   masked as ten `*` (or empty), `connections`, `ssl` 0/1, `enable` 0/1, … .
/// - `mode=set_config&section=servers&keyword=NAME` with the server's fields adds the server NAME or sets the given
///   fields of an existing one (`handle_server_api`), saves and answers the server as get_config does. `ssl` and
///   `enable` are read as integers (`OptionBool` → `bool_conv` → `int_conv` in sabnzbd/misc.py), so 1 and 0; the
///   host is lower-cased (`all_lowercase` in sabnzbd/cfg.py); a port left out stays 119 whatever `ssl` says.
/// - `mode=config&name=test_server` with `host`, `port`, `username`, `password`, `connections`, `ssl`, `server`
///   connects from SABnzbd to the provider, logs in (AUTHINFO USER/PASS, sabnzbd/newswrapper.py) and answers
///   `{"value": {"result": bool, "message": text}}`, its message being SABnzbd's own: "Connection Successful!",
///   "Authentication failed, check username/password.", `Server address "host:port" is not valid.`, …
///   (`test_nntp_server_dict`).
/// - Errors such as `Configuration locked` answer HTTP 200 with `{"status": false, "error": text}` (`report`).
///
/// So wire talks to SABnzbd only, and SABnzbd, which reaches the provider, tests the login. Every call is a POST
/// with a form body: neither the API key nor the password ever travels in a URL.
///
/// The login is tested before anything is written, as SABnzbd's wizard does: a server whose login the provider
/// refuses is never saved, and the provider's own message is reported with the `.env` setting to correct. SABnzbd
/// answers the password masked, so whether the one it holds is `.env`'s is kept as a fingerprint
/// (``SecretFingerprint``, keyed with SABnzbd's API key) in the record of owned objects: a password changed in
/// `.env` is tested and sent again. A server of the same name or host made by hand is never touched.
public struct UsenetServerWiring: AppWiring {
    public let app: ServiceName = .sabnzbd
    public let base: URL
    public let apiKey: String
    public let keySetting: String
    public let provider: UsenetProvider

    public init(base: URL, apiKey: String, keySetting: String, provider: UsenetProvider) {
        self.base = base
        self.apiKey = apiKey
        self.keySetting = keySetting
        self.provider = provider
    }

    static let kind = "news server"
    /// The slot of owned servers in ``WiringOwnership``: SABnzbd's config section. SABnzbd gives a server no id;
    /// its name is its identity.
    static let section = "servers"
    /// The id recorded for an owned server (SABnzbd has none).
    static let ownedID = 1
    /// The longest SABnzbd's test may take: it connects with a 5-second timeout, then probes ports 80, 119 and 563
    /// when the connection fails (`DEF_NETWORKING_TEST_TIMEOUT` in sabnzbd/constants.py, `test_nntp_server_dict`).
    static let testTimeout: Duration = .seconds(60)

    var secrets: [String] { [apiKey, provider.password] }

    /// The fields SABnzbd stores that decide drift, as `get_config` answers them (the password aside).
    var compared: [String: WireJSON] {
        [
            "host": .string(provider.host), "port": .number(Double(provider.port)),
            "ssl": .number(provider.ssl ? 1 : 0),
            "username": .string(provider.username), "connections": .number(Double(provider.connections)),
        ]
    }

    var fingerprint: String { SecretFingerprint.of(provider.password, key: apiKey) }

    public func plan(_ context: WiringContext) async throws(WiringFailure) -> [WiringAction] {
        let answer = try await send(context, ["mode": "get_config", "section": Self.section], call: "get_config")
        let servers = answer["config"]?["servers"]?.array ?? []
        guard let existing = servers.first(where: { $0["name"]?.string == provider.name }) else {
            // A server someone made for this host under another name (SABnzbd's wizard names it by the host, but a
            // person may rename it): a second one would double the connections to the provider.
            if let other = servers.first(where: { $0["host"]?.string?.lowercased() == provider.host }) {
                let name = other["name"]?.string ?? provider.host
                // The server wire added under an earlier USENET_SERVER_NAME: SABnzbd cannot rename a server (its
                // name is its section), and a second one would double the connections.
                let ours = context.ownership.id(app: app, path: Self.section, key: name) != nil
                return [action(ours ? .driftedNotUpdatable(drifted: ["name"]) : .userMade, key: name)]
            }
            return [action(.create)]
        }
        guard context.ownership.id(app: app, path: Self.section, key: provider.name) != nil else {
            return [action(.userMade)]
        }
        var drifted = compared.keys.sorted().filter { key in
            let current = existing[key]
            return key == "host" ? current?.string?.lowercased() != provider.host : current != compared[key]
        }
        if context.ownership.fingerprint(app: app, path: Self.section, key: provider.name) != fingerprint {
            drifted.append("password")
        }
        return [action(drifted.isEmpty ? .unchanged : .update(drifted: drifted))]
    }

    func action(_ change: WiringChange, key: String? = nil) -> WiringAction {
        WiringAction(app: app, kind: Self.kind, key: key ?? provider.name, change: change)
    }

    public func apply(_ action: WiringAction, _ context: WiringContext) async throws(WiringFailure) {
        guard action.changesSomething else { return }
        // Tested first, as SABnzbd's wizard does: a login the provider refuses is reported and never saved.
        try await test(context)
        var fields: [String: String] = [
            "mode": "set_config", "section": Self.section, "keyword": provider.name, "host": provider.host,
            "port": String(provider.port), "ssl": provider.ssl ? "1" : "0", "username": provider.username,
            "password": provider.password, "connections": String(provider.connections),
        ]
        // A new server is enabled; an update leaves a server someone paused in SABnzbd paused.
        if action.change == .create {
            fields["enable"] = "1"
            fields["displayname"] = provider.name
        }
        let saved = try await send(context, fields, call: "set_config")
        let server = saved["config"]?["servers"]?.array?.first { $0["name"]?.string == provider.name }
        guard server?["host"]?.string == provider.host else {
            throw WiringFailure(
                app: app, call: "POST /api mode=set_config", message: "SABnzbd did not keep the news server",
                fix: "read SABnzbd's log (`docker logs \(app)`), then run `mediaserver wire` again")
        }
        context.record(app: app, path: Self.section, key: provider.name, id: Self.ownedID)
        context.record(app: app, path: Self.section, key: provider.name, fingerprint: fingerprint)
    }

    /// SABnzbd's own test of the server as `.env` describes it; its message on failure, with the setting to fix.
    func test(_ context: WiringContext) async throws(WiringFailure) {
        let answer = try await send(
            context,
            [
                "mode": "config", "name": "test_server", "server": provider.name, "host": provider.host,
                "port": String(provider.port), "ssl": provider.ssl ? "1" : "0", "username": provider.username,
                "password": provider.password, "connections": String(provider.connections),
            ], call: "config name=test_server", timeout: max(context.timeout, Self.testTimeout))
        let result = answer["value"]
        guard result?["result"]?.bool != true else { return }
        let message = WiringFailure.redact(result?["message"]?.string ?? "no message", secrets)
        throw WiringFailure(
            app: app, call: "POST /api mode=config name=test_server",
            message: "news server \"\(provider.name)\" (\(provider.host):\(provider.port)): \(message)",
            fix: Self.fix(for: message))
    }

    /// The `.env` settings to correct for one of SABnzbd's test messages (`test_nntp_server_dict`).
    static func fix(for message: String) -> String {
        let again = "then run `mediaserver wire`"
        let text = message.lowercased()
        if text.contains("username") || text.contains("password") || text.contains("authentication") {
            return "correct \(UsenetProvider.usernameKey) and \(UsenetProvider.passwordKey) in .env (as your provider"
                + " gave them), \(again)"
        }
        if text.contains("too many connections") {
            return
                "lower \(UsenetProvider.connectionsKey) in .env to what your plan allows, or pause downloads, \(again)"
        }
        return "check \(UsenetProvider.hostKey), \(UsenetProvider.portKey) and \(UsenetProvider.sslKey) in .env against"
            + " your provider's settings (SABnzbd's message says what failed), \(again)"
    }

    /// One call to SABnzbd's API with `fields` as a form; SABnzbd's refusals (HTTP 403 with text, HTTP 200 with
    /// `{"status": false, "error"}`) become the app's one-line failure.
    func send(
        _ context: WiringContext, _ fields: [String: String], call: String, timeout: Duration? = nil
    ) async throws(WiringFailure) -> WireJSON {
        let request = WiringRequest(
            "POST", "/api", form: fields.merging(["apikey": apiKey, "output": "json"]) { _, ours in ours })
        let description = "POST /api mode=\(call)"
        let response: WiringResponse
        do {
            response = try await context.transport.send(request, to: base, timeout: timeout ?? context.timeout)
        } catch {
            throw WiringFailure(
                app: app, call: description, message: error.description,
                fix: "start it (`mediaserver up`, `mediaserver ps` shows its state), or point `--url \(app)=URL` at it")
        }
        let json = response.json
        if response.status == 403 || !response.succeeded || json == nil {
            let message = WiringFailure.redact(WiringFailure.appMessage(response), secrets)
            let fix: String
            if message.hasPrefix("API Key") {
                fix =
                    "\(keySetting) in .env is not the key in sabnzbd.ini: make them match (SABnzbd shows its key"
                    + " under Config → General), then run `mediaserver wire`"
            } else if message.contains("Hostname verification") {
                fix =
                    "reach SABnzbd by its IP address (`--url \(app)=http://IP:PORT`), or add the name to"
                    + " host_whitelist in sabnzbd.ini"
            } else {
                fix =
                    "is \(base.absoluteString) SABnzbd? read its log (`docker logs \(app)`), or point"
                    + " `--url \(app)=URL` at it"
            }
            throw WiringFailure(app: app, call: description, status: response.status, message: message, fix: fix)
        }
        if let json, json["status"]?.bool == false {
            let message = WiringFailure.redact(json["error"]?.string ?? "no message", secrets)
            throw WiringFailure(
                app: app, call: description, status: response.status, message: message,
                fix: message == "Configuration locked"
                    ? "unlock SABnzbd's configuration (config_lock in sabnzbd.ini), then run `mediaserver wire`"
                    : "read SABnzbd's log (`docker logs \(app)`), then run `mediaserver wire` again")
        }
        return json ?? .null
    }
}
