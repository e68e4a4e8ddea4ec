import MediaStack

/// Renders `authelia/configuration.yml` for Authelia 4.39 (mounted read-only at /config/configuration.yml).
///
/// No secret is in it: the session secret, storage encryption key and reset-password JWT secret come from Compose
/// secrets through Authelia's `AUTHELIA_…_FILE` variables (authelia/authelia docs/content/configuration/methods/
/// secrets.md), and the users file with the argon2id hashes lives in `${CONFIG_ROOT}/authelia`, outside the
/// repository. Keys follow the v4.39 schema (docs/static/schemas/v4.39/json-schema/configuration.json).
public struct AutheliaRenderer: Sendable {
    public static let path = "authelia/configuration.yml"
    /// Authelia's folder inside the container: `${CONFIG_ROOT}/authelia`.
    public static let dataFolder = "/data"
    public static let usersFile = "\(dataFolder)/users_database.yml"
    public static let database = "\(dataFolder)/db.sqlite3"
    /// The filesystem notifier's file: identity-verification links (TOTP registration) land here when no SMTP
    /// server is configured; on the host it is `${CONFIG_ROOT}/authelia/notification.txt`.
    public static let notificationFile = "\(dataFolder)/notification.txt"
    /// The log fail2ban reads (`${CONFIG_ROOT}/authelia/logs/authelia.log`).
    public static let logFile = "\(dataFolder)/logs/authelia.log"
    /// The group whose members pass the admin apps' rules.
    public static let adminGroup = "admins"

    public init() {}

    /// The SMTP notifier's settings when the alert e-mail settings are complete, else nil (filesystem notifier).
    public static func smtp(_ settings: Settings) -> (address: String, sender: String, username: String)? {
        let host = settings[.alertSMTPSmarthost]
        let sender = settings[.alertSMTPFrom]
        guard !host.isEmpty, !sender.isEmpty else { return nil }
        // Alertmanager's smarthost is host:port with STARTTLS required; Authelia's `submission://` is STARTTLS.
        return ("submission://\(host)", sender, settings[.alertSMTPUsername])
    }

    public func render(_ stack: Stack) throws -> RenderedFile? {
        guard let domain = FrontDoor.domain(stack.settings), stack.isEnabled(FrontDoor.authenticator) else {
            return nil
        }
        let sites = CaddyfileRenderer.sites(stack)
        let protected = sites.filter {
            if case .ownLogin = $0.access { return false }
            return true
        }
        let bypassed = sites.filter {
            if case .ownLogin = $0.access { return true }
            return false
        }
        var rules: [YAMLValue] = []
        if !bypassed.isEmpty {
            // Caddy never asks for these sites; the rule keeps Authelia's answer the same if it is asked.
            rules.append(
                .map([
                    ("domain", .list(bypassed.map { .string($0.host) })),
                    ("policy", .string("bypass")),
                ]))
        }
        if !protected.isEmpty {
            rules.append(
                .map([
                    ("domain", .list(protected.map { .string($0.host) })),
                    ("subject", .list([.string("group:\(Self.adminGroup)")])),
                    ("policy", .string("two_factor")),
                ]))
        }
        let portal = "https://\(FrontDoor.portalHost(domain: domain))"
        var cookie: [(String, YAMLValue)] = [
            ("domain", .string(domain)),
            ("authelia_url", .string(portal)),
        ]
        if let home = sites.first(where: { $0.service == "homepage" }) {
            cookie.append(("default_redirection_url", .string("https://\(home.host)")))
        }
        let notifier: YAMLValue
        if let smtp = Self.smtp(stack.settings) {
            var fields: [(String, YAMLValue)] = [("address", .string(smtp.address))]
            if !smtp.username.isEmpty { fields.append(("username", .string(smtp.username))) }
            fields.append(("sender", .string(smtp.sender)))
            notifier = .map([("smtp", .map(fields))])
        } else {
            notifier = .map([("filesystem", .map([("filename", .string(Self.notificationFile))]))])
        }
        let root: YAMLValue = .map([
            ("theme", .string("auto")),
            ("server", .map([("address", .string("tcp://:\(FrontDoor.authenticatorPort)/"))])),
            (
                "log",
                .map([
                    ("level", .string("info")),
                    ("format", .string("text")),
                    ("file_path", .string(Self.logFile)),
                    ("keep_stdout", .bool(true)),
                ])
            ),
            ("totp", .map([("issuer", .string(domain))])),
            (
                "authentication_backend",
                .map([
                    (
                        "file",
                        .map([
                            ("path", .string(Self.usersFile)),
                            (
                                "password",
                                .map([
                                    ("algorithm", .string("argon2")),
                                    ("argon2", .map([("variant", .string("argon2id"))])),
                                ])
                            ),
                        ])
                    )
                ])
            ),
            (
                "access_control",
                .map([
                    ("default_policy", .string("deny")),
                    ("rules", .list(rules)),
                ])
            ),
            ("session", .map([("cookies", .list([.map(cookie)]))])),
            (
                "regulation",
                .map([("max_retries", .int(5)), ("find_time", .string("10m")), ("ban_time", .string("1h"))])
            ),
            ("storage", .map([("local", .map([("path", .string(Self.database))]))])),
            ("notifier", notifier),
        ])
        let header =
            RenderHeader.lines + [
                "Secrets come from /run/secrets through AUTHELIA_*_FILE variables; users from \(Self.usersFile)."
            ]
        return RenderedFile(path: Self.path, contents: try root.yaml(header: header))
    }
}
