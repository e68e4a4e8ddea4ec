import MediaStack

/// Renders `alertmanager/alertmanager.yml`. It holds no secret: the Discord webhook URL and the SMTP password are
/// files under /run/secrets that Compose fills from `.env` (`Catalog.alertDiscordWebhook`, `alertSMTPPassword`),
/// read by Alertmanager when it sends (`webhook_url_file` needs Alertmanager 0.28 or later).
///
/// The receivers follow which delivery settings are set: Discord when `ALERT_DISCORD_WEBHOOK_URL` is non-empty
/// (its value is never read into the file), e-mail when `ALERT_EMAIL_TO` is. Everything goes to Discord, critical
/// alerts also by e-mail; with only one of them, everything goes there; with neither, to a receiver that drops it.
public struct AlertmanagerRenderer: Sendable {
    public static let path = "alertmanager/alertmanager.yml"

    public init() {}

    /// Where alerts go.
    public struct Delivery: Hashable, Sendable {
        public let discord: Bool
        public let email: Bool

        public init(_ settings: Settings) {
            discord = !settings[.alertDiscordWebhookURL].isEmpty
            email = !settings[.alertEmailTo].isEmpty
        }

        /// The receiver of every alert.
        public var defaultReceiver: String { discord ? "discord" : email ? "email" : "blackhole" }
        /// The receiver of critical alerts.
        public var criticalReceiver: String { discord && email ? "discord-email" : defaultReceiver }
    }

    public func render(_ stack: Stack) throws -> RenderedFile? {
        guard stack.isEnabled(.alertmanager) else { return nil }
        let settings = stack.settings
        let delivery = Delivery(settings)
        var global: [(String, YAMLValue)] = [("resolve_timeout", .string("5m"))]
        if delivery.email {
            global += [
                ("smtp_smarthost", .string(settings[.alertSMTPSmarthost])),
                ("smtp_from", .string(settings[.alertSMTPFrom])),
                ("smtp_auth_username", .string(settings[.alertSMTPUsername])),
                ("smtp_auth_password_file", .string(Catalog.alertSMTPPassword.path)),
                ("smtp_require_tls", .bool(true)),
            ]
        }
        var route: [(String, YAMLValue)] = [
            ("receiver", .string(delivery.defaultReceiver)),
            ("group_by", .flowList(["alertname", "service"])),
            ("group_wait", .string("30s")),
            ("group_interval", .string("5m")),
            ("repeat_interval", .string("4h")),
        ]
        if delivery.criticalReceiver != delivery.defaultReceiver {
            route.append(
                (
                    "routes",
                    .list([
                        .map([
                            ("matchers", .list([.string("severity=\"critical\"")])),
                            ("receiver", .string(delivery.criticalReceiver)),
                        ])
                    ])
                ))
        }
        let discord: (String, YAMLValue) = (
            "discord_configs",
            .list([
                .map([
                    ("webhook_url_file", .string(Catalog.alertDiscordWebhook.path)), ("send_resolved", .bool(true)),
                ])
            ])
        )
        let email: (String, YAMLValue) = (
            "email_configs",
            .list([.map([("to", .string(settings[.alertEmailTo])), ("send_resolved", .bool(true))])])
        )
        var receivers: [YAMLValue] = []
        switch (delivery.discord, delivery.email) {
        case (true, true):
            receivers = [
                .map([("name", .string("discord")), discord]),
                .map([("name", .string("discord-email")), discord, email]),
            ]
        case (true, false): receivers = [.map([("name", .string("discord")), discord])]
        case (false, true): receivers = [.map([("name", .string("email")), email])]
        case (false, false): receivers = [.map([("name", .string("blackhole"))])]
        }
        let root: YAMLValue = .map([
            ("global", .map(global)),
            ("route", .map(route)),
            (
                "inhibit_rules",
                .list([
                    // A critical alert (HostOutOfDiskSpace) silences the warnings of the same mount (HostDiskWillFill).
                    .map([
                        ("source_matchers", .list([.string("severity=\"critical\"")])),
                        ("target_matchers", .list([.string("severity=\"warning\"")])),
                        ("equal", .flowList(["instance", "mountpoint"])),
                    ])
                ])
            ),
            ("receivers", .list(receivers)),
        ])
        let header =
            RenderHeader.lines + [
                "Mounted at /etc/alertmanager. Holds no secret: the Discord webhook URL and SMTP password are read",
                "from /run/secrets (Compose secrets from .env). Receivers: \(receiverSummary(delivery)).",
                "Check: amtool check-config alertmanager/alertmanager.yml (Alertmanager 0.28 or later)",
            ]
        return RenderedFile(path: Self.path, contents: try root.yaml(header: header))
    }

    private func receiverSummary(_ delivery: Delivery) -> String {
        switch (delivery.discord, delivery.email) {
        case (true, true): "Discord for all, e-mail too for critical"
        case (true, false): "Discord"
        case (false, true): "e-mail"
        case (false, false): "none (set ALERT_DISCORD_WEBHOOK_URL or ALERT_EMAIL_TO in .env, then render)"
        }
    }
}
