import Foundation

extension Catalog {
    /// The dashboard, its log viewer, the Docker API proxy they read and the file manager (homepage-stack.yml).
    static let dashboardApps: [Service] = [
        Service(
            "homepage", stack: .dashboard,
            summary: "Central dashboard with links and widgets",
            image: ImageReference("ghcr.io/gethomepage/homepage", tag: "v1.12.3", scheme: .homepage),
            identity: .puidPgid,
            port: .published(homepagePort),
            // Container status comes from the socket proxy: homepage/docker.yaml names
            // `host: socket-proxy, port: 2375` (Catalog.dockerProxyHost / dockerProxyPort), never the socket.
            mounts: [Mount(.repository("homepage"), "/app/config", readOnly: true)],
            environment: [
                // Every /api call, the healthcheck included, is refused unless its Host header is listed here.
                EnvironmentVariable(
                    "HOMEPAGE_ALLOWED_HOSTS", "${LAN_IP:-127.0.0.1}:${HOMEPAGE_PORT},homepage:\(homepagePort)"),
                EnvironmentVariable("LOG_TARGETS", "stdout"),
            ],
            health: .http("/api/healthcheck", via: .wget),
            requires: [socketProxy],
            // The Plex widget reaches Plex (host network) through the host gateway.
            extraHosts: ["host.docker.internal:host-gateway"],
            backup: .none,
            showsWidgets: true,
            // The entrypoint starts as root and drops to PUID with su-exec, which needs SETUID/SETGID: no cap_drop.
            security: SecurityProfile(dockerAPI: .proxy),
            autoUpdate: true
        ),
        Service(
            "dozzle", stack: .dashboard,
            summary: "Live container logs",
            image: ImageReference("amir20/dozzle", tag: "v10.7.3", scheme: .dozzle),
            identity: .imageDefault(reason: "the image's own user; it reads the Docker API over TCP"),
            port: .published(8080, onHost: 9999),
            environment: [
                EnvironmentVariable("DOZZLE_NO_ANALYTICS", "true"),
                // Dozzle never writes to Docker; the proxy grants it containers, their logs, events and info only.
                EnvironmentVariable("DOZZLE_REMOTE_HOST", "tcp://\(dockerProxyHost):\(dockerProxyPort)"),
            ],
            // `/dozzle healthcheck` GETs /healthcheck (amir20/dozzle internal/healthcheck/http.go), the route that
            // answers 500 when the Docker API is unreachable; as an HTTP probe Blackbox probes it too.
            health: .http("/healthcheck", via: .ownCommand(["/dozzle", "healthcheck"])),
            dependsOn: [socketProxy],
            requires: [socketProxy],
            dashboard: .init(group: "Monitoring", icon: "dozzle.png", description: "Container logs"),
            backup: .none,
            security: SecurityProfile(dropAllCapabilities: true, memoryLimit: "256m", dockerAPI: .proxy),
            autoUpdate: true
        ),
        Service(
            socketProxy, stack: .dashboard,
            summary: "Read-only Docker API for Homepage and Dozzle (GET/HEAD on containers, events, info)",
            image: ImageReference("lscr.io/linuxserver/socket-proxy", tag: "3.4.6-r0-ls101", scheme: .linuxServer),
            identity: .imageDefault(reason: "runs as root to open the Docker socket; the image takes no PUID/PGID"),
            port: .unpublished(dockerProxyPort),
            mounts: [Mount(.host(dockerSocket), dockerSocket, readOnly: true)],
            environment: [
                // POST=0 refuses every write; only the sections Homepage and Dozzle read are opened.
                EnvironmentVariable("POST", "0"),
                EnvironmentVariable("CONTAINERS", "1"),
                // Dozzle's log views: since 3.4.3-r0-ls92 (2026-08-18) /containers/{id}/logs is denied unless
                // ALLOW_LOGS is set, whatever CONTAINERS says (linuxserver/docker-socket-proxy
                // root/templates/haproxy.cfg: `http-request deny if { path … /(logs) } !allow_logs`).
                EnvironmentVariable("ALLOW_LOGS", "1"),
                EnvironmentVariable("EVENTS", "1"),
                EnvironmentVariable("INFO", "1"),
                EnvironmentVariable("PING", "1"),
                EnvironmentVariable("VERSION", "1"),
                EnvironmentVariable("EXEC", "0"),
                EnvironmentVariable("IMAGES", "0"),
                EnvironmentVariable("NETWORKS", "0"),
                EnvironmentVariable("VOLUMES", "0"),
                EnvironmentVariable("LOG_LEVEL", "warning"),
            ],
            health: .http("/_ping", via: .wget, startPeriod: 10),
            backup: .none,
            security: SecurityProfile(
                exceptions: [
                    SecurityException(
                        .dockerSocket,
                        "the one holder of the socket for readers: it answers GET/HEAD only (POST=0) on media_net,"
                            + " with no published port")
                ],
                readOnlyRootFilesystem: true, tmpfs: ["/run"], memoryLimit: "64m")
        ),
        Service(
            "filebrowser", stack: .dashboard,
            summary: "Simple file manager for the media tree",
            image: ImageReference("filebrowser/filebrowser", tag: "v2.63.23", scheme: .filebrowser),
            identity: .user,
            port: .published(80, onHost: 8081),
            mounts: [
                Mount(.data(""), "/srv"),
                Mount(.config("database"), "/database"),
                Mount(.config("config"), "/config"),
            ],
            health: .http("/health", via: .wget),
            // No widget: Homepage's File Browser widget needs a user's password.
            dashboard: .init(
                group: "Tools", icon: "filebrowser.png", description: "Browse the media tree", title: "File Browser"),
            unjailedLogin: "File Browser logs no failed-login line with the client address; it is archived upstream,"
                + " keep it on the LAN",
            security: .unprivileged
        ),
    ]
}
