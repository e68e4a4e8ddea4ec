/// One service of the stack, declared once in the catalog. Every rendered file and every operation reads it.
public struct Service: Hashable, Sendable, Identifiable {
    /// How the container maps to the host user (the seed's PUID/PGID/UMASK convention).
    public enum Identity: Hashable, Sendable {
        /// linuxserver.io images: `PUID`, `PGID` and `UMASK` environment variables.
        case linuxServer
        /// Images that read `PUID` and `PGID` but not `UMASK` (Homepage).
        case puidPgid
        /// Images that take a numeric `user:` (the official Jellyfin, Grafana, Recyclarr images).
        case user
        /// The image keeps its own user; the reason says why that is right.
        case imageDefault(reason: String)
    }

    /// The network a service joins.
    public enum Network: Hashable, Sendable {
        /// The shared bridge `media_net`; Prometheus reaches services here by name.
        case mediaNet
        /// The host's network namespace (Plex for discovery, fail2ban for iptables).
        case host(reason: String)
    }

    public enum RestartPolicy: String, Hashable, Sendable {
        case unlessStopped = "unless-stopped"
        case no
    }

    /// What the Homepage dashboard shows for a service (group, icon, one-line description, optional widget).
    public struct DashboardTile: Hashable, Sendable {
        public let group: String
        public let icon: String
        public let description: String
        /// The tile's title; by default the service name with a capital first letter.
        public let title: String?
        /// The live widget Homepage shows on the tile, for apps Homepage has a widget for.
        public internal(set) var widget: HomepageWidget?

        public init(
            group: String, icon: String, description: String, title: String? = nil, widget: HomepageWidget? = nil
        ) {
            self.group = group
            self.icon = icon
            self.description = description
            self.title = title
            self.widget = widget
        }
    }

    /// A Prometheus scrape endpoint the service exposes on `media_net`.
    public struct MetricsEndpoint: Hashable, Sendable {
        public let job: String
        public let port: Port
        public let path: String

        public init(job: String, port: Int, path: String = "/metrics") {
            self.init(job: job, port: Port(literal: port), path: path)
        }

        init(job: String, port: Port, path: String) {
            self.job = job
            self.port = port
            self.path = path
        }
    }

    /// A metrics endpoint as the catalog declares it: Prometheus scrapes it on the service's `port`.
    public struct Metrics: Hashable, Sendable {
        public let job: String
        public let path: String

        public init(job: String, path: String = "/metrics") {
            self.job = job
            self.path = path
        }
    }

    /// The API key (or token) a service's clients authenticate with: a `.env` secret, `<SERVICE>_API_KEY` unless
    /// named otherwise. Homepage's widget, exportarr and Recyclarr read it; `.env.example` documents it.
    public struct APIKey: Hashable, Sendable {
        public enum Origin: Hashable, Sendable {
            /// `mediaserver init` generates it and the app takes it from its environment, or from a file
            /// `mediaserver up` seeds before the app's first start: it must be set.
            case generated
            /// The app makes it; the user copies it into `.env` after the first start. `required` when a rendered
            /// file needs it to work (exportarr), else optional (a widget without it shows an error, nothing more).
            case copiedFromApp(required: Bool)
        }

        /// The settings key, when it is not `<SERVICE>_API_KEY` (Plex's token).
        public let setting: String?
        /// Where the user finds it, for `.env.example`.
        public let help: String
        public let origin: Origin

        /// The settings key for the service `name`.
        public func settingKey(of name: ServiceName) -> String { setting ?? "\(name.settingPrefix)_API_KEY" }

        /// A key `mediaserver init` generates, which the app reads from its environment or a seeded file.
        public static func generated(help: String) -> APIKey { APIKey(setting: nil, help: help, origin: .generated) }

        /// A key the app makes and the user copies into `.env`.
        public static func fromApp(_ help: String, required: Bool = false, setting: String? = nil) -> APIKey {
            APIKey(setting: setting, help: help, origin: .copiedFromApp(required: required))
        }
    }

    /// What of the service's config directory the backup keeps and what it leaves out.
    public struct BackupFacts: Hashable, Sendable {
        /// Whether `${CONFIG_ROOT}/<service>` is a backup source.
        public let includeConfig: Bool
        /// Borg patterns, relative to the service's config directory, for regenerable data.
        public let excludes: [String]

        public init(includeConfig: Bool = true, excludes: [String] = []) {
            self.includeConfig = includeConfig
            self.excludes = excludes
        }

        public static let none = BackupFacts(includeConfig: false)
    }

    public let name: ServiceName
    public let containerName: String
    public let stack: StackID
    /// One line on what the service does, shown in `--help`, docs and findings.
    public let summary: String
    /// The catalog's pinned image; `Stack` puts the tag of the `<SERVICE>_IMAGE_TAG` setting in when one is set.
    public internal(set) var image: ImageReference
    public let identity: Identity
    public let network: Network
    public let hostname: String?
    /// The one port the app listens on: every published port, probe, scrape, widget and jail derives from it.
    public let port: ServicePort?
    /// `port` published on the host (with its `<SERVICE>_PORT` setting); empty when it is not published.
    public internal(set) var ports: [PublishedPort]
    /// For a host-network service: `port`, then the other ports it binds on the host.
    public let hostPorts: [HostPort]
    /// Declared mounts; for fail2ban, `Stack` adds one read-only mount per enabled service's `authLog`.
    public internal(set) var mounts: [Mount]
    public internal(set) var devices: [String]
    /// Supplementary groups, e.g. `${RENDER_GID}` for `/dev/dri` with the official Jellyfin image.
    public internal(set) var groupAdd: [String]
    /// Environment in declared order; values may reference settings as `${KEY}`. For Homepage, `Stack` adds one
    /// `HOMEPAGE_VAR_<KEY>` per setting an enabled service's widget reads.
    public internal(set) var environment: [EnvironmentVariable]
    public internal(set) var command: [String]
    /// The probe of `port` (HTTP) or inside the container (command).
    public let health: HealthProbe?
    public let restart: RestartPolicy
    /// Compose profiles; a service with a profile starts only on demand (`docker compose run`).
    public let profiles: [String]
    /// Services of the same stack that must be healthy first (Compose `depends_on`).
    public let dependsOn: [ServiceName]
    /// Services this one needs to work, in either stack (checked when one is disabled).
    public let requires: [ServiceName]
    /// Runs an init process as PID 1 (Seerr needs it).
    public let initProcess: Bool
    public let capAdd: [String]
    /// Full access to the host's devices; only with a declared reason (cAdvisor reads kernel and cgroup state).
    public let privileged: Bool
    public internal(set) var extraHosts: [String]
    /// Compose secrets mounted at `/run/secrets/<name>`, each filled from a `.env` setting.
    public internal(set) var secrets: [ComposeSecret]
    public let stopGracePeriod: TimeSpan?
    /// Whether `DISABLED_SERVICES` may name it.
    public let optional: Bool
    public let dashboard: DashboardTile?
    /// The scrape endpoint on `port`, if the service exports metrics.
    public let metrics: MetricsEndpoint?
    /// The API key setting, if clients of the service authenticate with one.
    public let apiKey: APIKey?
    public let backup: BackupFacts
    /// The failed-login log a fail2ban jail tails, for a service that authenticates users.
    public let authLog: AuthLog?
    /// Why a service with a login page has no fail2ban jail (no usable failed-login log line).
    public let unjailedLogin: String?
    /// Whether this is the fail2ban service, which mounts every enabled `authLog` directory read-only.
    public let readsAuthLogs: Bool
    /// Whether this is the Homepage service, which gets the credentials of every enabled service's widget.
    public let showsWidgets: Bool
    /// Confinement: no-new-privileges, capabilities, limits, Docker API access, declared exceptions.
    public let security: SecurityProfile
    /// Whether Watchtower may update this container (label `com.centurylinklabs.watchtower.enable=true`).
    /// Only sidecars opt in; the media apps and anything holding data are upgraded deliberately.
    public let autoUpdate: Bool
    /// Shares the host's process namespace (`pid: host`); needs a `hostNamespace` security exception.
    public let hostPID: Bool

    public var id: ServiceName { name }

    public init(
        _ name: ServiceName,
        containerName: String? = nil,
        stack: StackID,
        summary: String,
        image: ImageReference,
        identity: Identity,
        network: Network = .mediaNet,
        hostname: String? = nil,
        port: ServicePort? = nil,
        hostPorts: [HostPort] = [],
        mounts: [Mount] = [],
        devices: [String] = [],
        groupAdd: [String] = [],
        environment: [EnvironmentVariable] = [],
        command: [String] = [],
        health: HealthCheck?,
        restart: RestartPolicy = .unlessStopped,
        profiles: [String] = [],
        dependsOn: [ServiceName] = [],
        requires: [ServiceName] = [],
        initProcess: Bool = false,
        capAdd: [String] = [],
        privileged: Bool = false,
        extraHosts: [String] = [],
        secrets: [ComposeSecret] = [],
        stopGracePeriod: TimeSpan? = nil,
        optional: Bool = true,
        dashboard: DashboardTile? = nil,
        metrics: Metrics? = nil,
        apiKey: APIKey? = nil,
        backup: BackupFacts = BackupFacts(),
        authLog: AuthLog? = nil,
        unjailedLogin: String? = nil,
        readsAuthLogs: Bool = false,
        showsWidgets: Bool = false,
        security: SecurityProfile = .standard,
        autoUpdate: Bool = false,
        hostPID: Bool = false
    ) {
        self.name = name
        self.containerName = containerName ?? name.rawValue
        self.stack = stack
        self.summary = summary
        self.image = image
        self.identity = identity
        self.network = network
        self.hostname = hostname
        self.port = port
        if case .host = network, let port {
            self.ports = []
            self.hostPorts = [HostPort(port.container.value, .tcp, "\(name.title) web and API")] + hostPorts
        } else {
            self.ports = port.flatMap { PublishedPort($0, of: name) }.map { [$0] } ?? []
            self.hostPorts = hostPorts
        }
        self.mounts = mounts
        self.devices = devices
        self.groupAdd = groupAdd
        self.environment = environment
        self.command = command
        precondition(health == nil || health?.probe(on: port?.container) != nil, "\(name): an HTTP probe needs a port")
        self.health = health?.probe(on: port?.container)
        self.restart = restart
        self.profiles = profiles
        self.dependsOn = dependsOn
        self.requires = requires
        self.initProcess = initProcess
        self.capAdd = capAdd
        self.privileged = privileged
        self.extraHosts = extraHosts
        self.secrets = secrets
        self.stopGracePeriod = stopGracePeriod
        self.optional = optional
        precondition(metrics == nil || port != nil, "\(name): metrics are scraped on the service's port")
        self.metrics = metrics.flatMap { metrics in
            port.map { MetricsEndpoint(job: metrics.job, port: $0.container, path: metrics.path) }
        }
        self.apiKey = apiKey
        // The widget authenticates with the service's API key, the one place that names it.
        var dashboard = dashboard
        dashboard?.widget?.keySetting = apiKey?.settingKey(of: name)
        self.dashboard = dashboard
        self.backup = backup
        self.authLog = authLog
        self.unjailedLogin = unjailedLogin
        self.readsAuthLogs = readsAuthLogs
        self.showsWidgets = showsWidgets
        self.security = security
        self.autoUpdate = autoUpdate
        self.hostPID = hostPID
    }

    /// The settings key of the API key, e.g. `SONARR_API_KEY`.
    public var apiKeySetting: String? { apiKey?.settingKey(of: name) }

    /// The settings key of the image tag `mediaserver upgrade` chose, e.g. `SONARR_IMAGE_TAG`; unset, the catalog's
    /// pin applies.
    public var imageTagSetting: String { "\(name.settingPrefix)_IMAGE_TAG" }

    /// Whether the service runs all the time (not an on-demand tool behind a profile).
    public var isLongRunning: Bool { profiles.isEmpty }

    /// Whether the service uses the host's network namespace.
    public var usesHostNetwork: Bool {
        if case .host = network { return true }
        return false
    }
}
