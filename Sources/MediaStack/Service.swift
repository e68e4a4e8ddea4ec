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
        public let widget: HomepageWidget?

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
            self.job = job
            self.port = Port(literal: port)
            self.path = path
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
    public let image: ImageReference
    public let identity: Identity
    public let network: Network
    public let hostname: String?
    public internal(set) var ports: [PublishedPort]
    public let hostPorts: [HostPort]
    /// Declared mounts; for fail2ban, `Stack` adds one read-only mount per enabled service's `authLog`.
    public internal(set) var mounts: [Mount]
    public internal(set) var devices: [String]
    /// Supplementary groups, e.g. `${RENDER_GID}` for `/dev/dri` with the official Jellyfin image.
    public internal(set) var groupAdd: [String]
    /// Environment in declared order; values may reference settings as `${KEY}`. For Homepage, `Stack` adds one
    /// `HOMEPAGE_VAR_<KEY>` per setting an enabled service's widget reads.
    public internal(set) var environment: [EnvironmentVariable]
    public let command: [String]
    public let entrypoint: [String]
    public let health: HealthProbe?
    /// Why a long-running service has no healthcheck (required when `health` is nil and `profiles` is empty).
    public let healthExemption: String?
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
    public let extraHosts: [String]
    /// Compose secrets mounted at `/run/secrets/<name>`, each filled from a `.env` setting.
    public let secrets: [ComposeSecret]
    public let labels: [String]
    public let stopGracePeriod: String?
    /// Whether `DISABLED_SERVICES` may name it.
    public let optional: Bool
    public let dashboard: DashboardTile?
    public let metrics: MetricsEndpoint?
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
        ports: [PublishedPort] = [],
        hostPorts: [HostPort] = [],
        mounts: [Mount] = [],
        devices: [String] = [],
        groupAdd: [String] = [],
        environment: [EnvironmentVariable] = [],
        command: [String] = [],
        entrypoint: [String] = [],
        health: HealthProbe?,
        healthExemption: String? = nil,
        restart: RestartPolicy = .unlessStopped,
        profiles: [String] = [],
        dependsOn: [ServiceName] = [],
        requires: [ServiceName] = [],
        initProcess: Bool = false,
        capAdd: [String] = [],
        privileged: Bool = false,
        extraHosts: [String] = [],
        secrets: [ComposeSecret] = [],
        labels: [String] = [],
        stopGracePeriod: String? = nil,
        optional: Bool = true,
        dashboard: DashboardTile? = nil,
        metrics: MetricsEndpoint? = nil,
        backup: BackupFacts = BackupFacts(),
        authLog: AuthLog? = nil,
        unjailedLogin: String? = nil,
        readsAuthLogs: Bool = false,
        showsWidgets: Bool = false,
        security: SecurityProfile = .standard,
        autoUpdate: Bool = false
    ) {
        self.name = name
        self.containerName = containerName ?? name.rawValue
        self.stack = stack
        self.summary = summary
        self.image = image
        self.identity = identity
        self.network = network
        self.hostname = hostname
        self.ports = ports
        self.hostPorts = hostPorts
        self.mounts = mounts
        self.devices = devices
        self.groupAdd = groupAdd
        self.environment = environment
        self.command = command
        self.entrypoint = entrypoint
        self.health = health
        self.healthExemption = healthExemption
        self.restart = restart
        self.profiles = profiles
        self.dependsOn = dependsOn
        self.requires = requires
        self.initProcess = initProcess
        self.capAdd = capAdd
        self.privileged = privileged
        self.extraHosts = extraHosts
        self.secrets = secrets
        self.labels = labels
        self.stopGracePeriod = stopGracePeriod
        self.optional = optional
        self.dashboard = dashboard
        self.metrics = metrics
        self.backup = backup
        self.authLog = authLog
        self.unjailedLogin = unjailedLogin
        self.readsAuthLogs = readsAuthLogs
        self.showsWidgets = showsWidgets
        self.security = security
        self.autoUpdate = autoUpdate
    }

    /// Whether the service runs all the time (not an on-demand tool behind a profile).
    public var isLongRunning: Bool { profiles.isEmpty }

    /// Whether the service uses the host's network namespace.
    public var usesHostNetwork: Bool {
        if case .host = network { return true }
        return false
    }
}

/// One environment variable of a service.
public struct EnvironmentVariable: Hashable, Sendable {
    public let key: String
    public let value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}
