import Foundation

extension Catalog {
    /// Bans (fail2ban) and image updates (Watchtower) on the host (compose.yml).
    static let maintenance: [Service] = [
        Service(
            "fail2ban", stack: .core,
            summary: "Bans abusive addresses with the host's iptables",
            // 1.1.0-r6 is the git tag of the sixth rebuild; the image workflow publishes it as 1.1.0
            // (crazy-max/docker-fail2ban .github/workflows/build.yml: type=match,pattern=(.*)-r,group=1).
            image: ImageReference("crazymax/fail2ban", tag: "1.1.0", scheme: .crazymax),
            identity: .imageDefault(reason: "runs as root to manage iptables"),
            network: .host(reason: "bans must land in the host's iptables (INPUT and DOCKER-USER)"),
            mounts: [
                Mount(.config(""), "/data"),
                Mount(.repository("security/fail2ban/jail.d"), "/data/jail.d", readOnly: true),
                Mount(.repository("security/fail2ban/filter.d"), "/data/filter.d", readOnly: true),
                Mount(.host("/var/log"), "/var/log", readOnly: true),
            ],
            environment: [
                EnvironmentVariable("TZ", "${TZ}"),
                EnvironmentVariable("F2B_LOG_TARGET", "STDOUT"),
                EnvironmentVariable("F2B_LOG_LEVEL", "INFO"),
                EnvironmentVariable("F2B_DB_PURGE_AGE", "1d"),
            ],
            health: .command("fail2ban-client", "ping"),
            capAdd: ["NET_ADMIN", "NET_RAW"],
            backup: .none,
            readsAuthLogs: true,
            security: SecurityProfile(exceptions: [
                SecurityException(.networkAdmin, "inserts ban rules into the host's INPUT and DOCKER-USER chains")
            ])
        ),
        Service(
            "watchtower", stack: .core,
            summary: "Updates opted-in containers on a schedule and reports through Shoutrrr",
            image: ImageReference("nickfedor/watchtower", tag: "1.21.0", scheme: .watchtower),
            identity: .imageDefault(reason: "talks to the Docker API through the socket"),
            // Its health API (WATCHTOWER_HTTP_API_PORT, default 8080), reached on media_net only.
            port: .unpublished(8080),
            mounts: [Mount(.host(dockerSocket), dockerSocket)],
            environment: [
                EnvironmentVariable("TZ", "${TZ}"),
                EnvironmentVariable("WATCHTOWER_SCHEDULE", "${WATCHTOWER_SCHEDULE}"),
                EnvironmentVariable("WATCHTOWER_LABEL_ENABLE", "true"),
                EnvironmentVariable("WATCHTOWER_CLEANUP", "true"),
                EnvironmentVariable("WATCHTOWER_NOTIFICATION_URL", "${WATCHTOWER_NOTIFICATION_URL}"),
                // Only the unauthenticated probes /livez, /readyz, /startupz on 8080, reachable on media_net only
                // (nicholas-fedor/watchtower v1.21.0 docs/http-api/endpoints/health/index.md).
                EnvironmentVariable("WATCHTOWER_HTTP_API_ENDPOINTS", "health"),
            ],
            // `/watchtower --health-check` exits 0 whatever happens (cmd/root.go returns before any check unless it
            // is PID 1). /readyz answers 503 while the Docker client is not connected. The image is FROM scratch
            // (no shell, no HTTP client): Blackbox probes it, and the image's own HEALTHCHECK is disabled.
            health: .http("/readyz", via: .outsideOnly),
            backup: .none,
            security: SecurityProfile(exceptions: [
                SecurityException(
                    .dockerSocket,
                    "pulls images and recreates containers: it writes to the Docker API, which a read-only proxy refuses"
                )
            ])
        ),
    ]
}
