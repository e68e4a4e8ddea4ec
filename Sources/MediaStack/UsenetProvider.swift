/// The Usenet provider of `.env`: the news server `mediaserver wire` adds to SABnzbd, so that nobody has to type it
/// into SABnzbd's wizard. Nothing is configured while `USENET_HOST` is empty.
public struct UsenetProvider: Hashable, Sendable {
    public static let hostKey = SettingKey("USENET_HOST")
    public static let portKey = SettingKey("USENET_PORT")
    public static let sslKey = SettingKey("USENET_SSL")
    public static let usernameKey = SettingKey("USENET_USERNAME")
    public static let passwordKey = SettingKey("USENET_PASSWORD")
    public static let connectionsKey = SettingKey("USENET_CONNECTIONS")
    public static let serverNameKey = SettingKey("USENET_SERVER_NAME")

    /// Every key, for the test that each is defined.
    public static let keys: [SettingKey] = [
        hostKey, portKey, sslKey, usernameKey, passwordKey, connectionsKey, serverNameKey,
    ]

    /// Connections when `USENET_CONNECTIONS` is empty: SABnzbd's own default is 1 (`handle_server` in
    /// sabnzbd/interface.py), which downloads slowly; its wizard suggests "E.g. 8 or 20" (`wizard-server-con-eg` in
    /// sabnzbd/skintext.py), and 8 is within what providers' plans allow.
    public static let defaultConnections = 8
    /// SABnzbd's range of a server's connections (`ConfigServer.connections`, OptionNumber 0-500, sabnzbd/config.py);
    /// 0 would leave the server unused.
    public static let connectionsRange = 1...500

    /// The news server's name in SABnzbd (its `[servers]` keyword): `USENET_SERVER_NAME`, else the host, as
    /// SABnzbd's wizard names a server (`handle_server`: "Default server name is just the host name").
    public let name: String
    /// Lower-cased, as SABnzbd stores it (`ConfigServer.host`, validation `all_lowercase` in sabnzbd/cfg.py).
    public let host: String
    public let port: Int
    public let ssl: Bool
    public let username: String
    /// Never printed: only sent to SABnzbd.
    public let password: String
    public let connections: Int

    /// The provider of validated settings; nil while `USENET_HOST` is empty.
    public init?(_ settings: Settings) {
        let host = settings[Self.hostKey]
        guard !host.isEmpty else { return nil }
        let ssl = settings[Self.sslKey] != "false"
        self.host = host.lowercased()
        self.ssl = ssl
        // SABnzbd's defaults for a server without a port: 563 with SSL, else 119 (`handle_server`).
        self.port = Int(settings[Self.portKey]) ?? (ssl ? 563 : 119)
        self.username = settings[Self.usernameKey]
        self.password = settings[Self.passwordKey]
        self.connections = Int(settings[Self.connectionsKey]) ?? Self.defaultConnections
        let name = settings[Self.serverNameKey]
        self.name = name.isEmpty ? self.host : name
    }

    /// The `.env` settings of the provider, listed in their own section of `.env.example`.
    static let settings: [SettingDefinition] = [
        SettingDefinition(
            hostKey, "", .hostName, .usenet,
            help: "Your Usenet provider's news server, e.g. news.example.com (no scheme, no port). Set: `mediaserver"
                + " wire` adds it to SABnzbd and tests the login. Empty: no provider (add one in SABnzbd's wizard).",
            mayBeEmpty: true),
        SettingDefinition(
            portKey, "", .port, .usenet,
            help: "Port of the news server; empty: 563 with SSL, 119 without.", mayBeEmpty: true),
        SettingDefinition(
            sslKey, "", .oneOf(["true", "false"]), .usenet,
            help: "true or false: connect with SSL (TLS). Empty: true.", mayBeEmpty: true),
        SettingDefinition(
            usernameKey, "", .text, .usenet, help: "Your user name at the provider.", mayBeEmpty: true),
        SettingDefinition(
            passwordKey, "", .secret(placeholder: ""), .usenet,
            help: "Your password at the provider; only ever sent to SABnzbd, never printed or rendered.",
            mayBeEmpty: true),
        SettingDefinition(
            connectionsKey, "", .count(connectionsRange), .usenet,
            help: "Connections your plan allows (1-500); empty: \(defaultConnections).", mayBeEmpty: true),
        SettingDefinition(
            serverNameKey, "", .text, .usenet,
            help: "The server's name in SABnzbd; empty: the host. `mediaserver wire` updates only the server it"
                + " added; one of that name or host made by hand is left alone.",
            mayBeEmpty: true),
    ]

    /// The problems between the provider's settings (each value on its own is checked by its kind): a server name
    /// SABnzbd would change, a password SABnzbd would take for its mask, a login with one half missing.
    static func issues(of file: EnvFile) -> [SettingsIssue] {
        func entry(_ key: SettingKey) -> EnvFile.Entry? {
            file.entries.first { $0.key == key.rawValue && !$0.value.isEmpty }
        }
        func issue(_ entry: EnvFile.Entry, _ message: String, _ fix: String) -> SettingsIssue {
            SettingsIssue(file: file.path, line: entry.line, key: entry.key, message: message, fix: fix)
        }
        var issues: [SettingsIssue] = []
        if let name = entry(serverNameKey) {
            // SABnzbd strips brackets from the ends of a server's name (`clean_section_name`, sabnzbd/config.py), so
            // the server would not be found again under the name asked for.
            if name.value.hasPrefix("[") || name.value.hasSuffix("]") {
                issues.append(
                    issue(
                        name,
                        "\(serverNameKey)=\(SettingsIssue.excerpt(name.value)) starts or ends with a bracket, which"
                            + " SABnzbd removes from a server's name",
                        "use a name without them, e.g. \(serverNameKey)=provider, or leave it empty (the host)"))
            }
        }
        // Without a host nothing is configured, and the other values wait for it (a secret may be set first).
        guard let host = entry(hostKey) else { return issues }
        if let password = entry(passwordKey), password.value.allSatisfy({ $0 == "*" }) {
            // SABnzbd keeps the stored password when given one of only `*`, its mask (`OptionPassword.set`,
            // sabnzbd/config.py).
            issues.append(
                issue(
                    password, "\(passwordKey) is only `*` characters, which SABnzbd takes for its mask of a password",
                    "set \(passwordKey) to your real password at the provider"))
        }
        switch (entry(usernameKey), entry(passwordKey)) {
        case (let user?, nil):
            issues.append(
                issue(
                    user, "\(usernameKey) is set but \(passwordKey) is empty",
                    "set \(passwordKey) to your password at \(SettingsIssue.excerpt(host.value)), or clear"
                        + " \(usernameKey) for a server without login"))
        case (nil, let password?):
            // The line of the password, never its value.
            issues.append(
                issue(
                    password, "\(passwordKey) is set but \(usernameKey) is empty",
                    "set \(usernameKey) to your user name at \(SettingsIssue.excerpt(host.value))"))
        default:
            break
        }
        return issues
    }

    /// Why `value` is not a host name or IP address alone, or nil when it is one.
    public static func hostProblem(_ value: String) -> (message: String, fix: String)? {
        let example = "e.g. \(hostKey)=news.example.com"
        if value.contains("://") {
            return (
                "holds a URL scheme",
                "write the host alone, \(example); SSL is \(sslKey) and the port \(portKey)"
            )
        }
        if value.contains("/") { return ("holds a path", "write the host alone, \(example)") }
        if Settings.isIPAddress(value) { return nil }
        if value.contains(":") {
            return ("holds a port", "write the host alone, \(example), and the port in \(portKey)")
        }
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            value.count <= 253
            && labels.allSatisfy { label in
                (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
        return valid ? nil : ("is not a host name or IP address", "use your provider's news server, \(example)")
    }
}
