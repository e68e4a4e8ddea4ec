import Foundation

extension Catalog {
    /// The reverse proxy and its single sign-on (compose.yml), only while DOMAIN is set.
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
}
