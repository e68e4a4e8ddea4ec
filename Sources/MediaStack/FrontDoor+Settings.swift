extension FrontDoor {
    /// The `.env` settings of the front door, listed in `.env.example` after the base settings.
    static let settings: [SettingDefinition] = [
        SettingDefinition(
            domainKey, "", .text, .network,
            help: "Base domain of the front door (Caddy + Authelia), e.g. media.example.com or media.home.arpa."
                + " Empty: off, every app on its own LAN port. Set: each web UI at <service>.DOMAIN over HTTPS, only"
                + " ports 80/443 on LAN_IP, the apps' own ports on 127.0.0.1. See docs/remote-access.md.",
            mayBeEmpty: true),
        SettingDefinition(
            tlsKey, TLSMode.internal.rawValue, .text, .network,
            help: "internal: Caddy's own CA, for a LAN-only name (trust its root once per device); acme: a public"
                + " certificate from Let's Encrypt, for a public domain whose DNS points here with 80/443 forwarded."),
        SettingDefinition(
            acmeEmailKey, "", .text, .network,
            help: "Contact e-mail for the ACME account (PROXY_TLS=acme); Let's Encrypt writes before a certificate"
                + " expires.",
            mayBeEmpty: true),
        SettingDefinition(
            subnetKey, defaultSubnet, .ipv4Subnet, .network,
            help: "IPv4 subnet of the Docker network between Caddy and the apps (front door only). Caddy takes its"
                + " last usable address, the only one Grafana and Jellyfin trust to name the user or client; change"
                + " it only if it clashes with a network of yours."),
        SettingDefinition(
            httpPortKey, "80", .port, .ports,
            help: "caddy HTTP port on the host (container port 80): ACME's HTTP-01 challenge and the redirect to"
                + " HTTPS; keep 80 for acme."),
        SettingDefinition(
            adminUserKey, "admin", .text, .operations,
            help: "Name of the first Authelia user; `mediaserver up` writes its argon2id hash to"
                + " CONFIG_ROOT/authelia/users_database.yml (mode 0600), never to this file."),
        SettingDefinition(
            sessionSecret.settingKey, "CHANGE_ME", .secret(placeholder: "CHANGE_ME"), .secrets,
            help: "Authelia's session secret (64 random characters; read from /run/secrets by Authelia)."),
        SettingDefinition(
            storageEncryptionKey.settingKey, "CHANGE_ME", .secret(placeholder: "CHANGE_ME"), .secrets,
            help: "Encrypts Authelia's database (TOTP secrets); 64 random characters. Changing it locks the"
                + " database: keep it with the Borg passphrase."),
        SettingDefinition(
            resetPasswordJWTSecret.settingKey, "CHANGE_ME", .secret(placeholder: "CHANGE_ME"), .secrets,
            help: "Signs Authelia's password-reset and identity-verification links; 64 random characters."),
    ]

    /// The front door's secrets `mediaserver init` generates: Authelia asks for at least 20 characters for the
    /// storage key and recommends 64 random alphanumerics for each.
    public static let generatedSecrets: [String: SettingsCatalog.GeneratedSecret] = [
        sessionSecret.settingKey: .passphrase(length: 64),
        storageEncryptionKey.settingKey: .passphrase(length: 64),
        resetPasswordJWTSecret.settingKey: .passphrase(length: 64),
    ]
}
