/// One variable of `.env`: its key, safe default, kind (how it is validated) and the comment `.env.example` shows.
public struct SettingDefinition: Hashable, Sendable {
    /// How a value is validated.
    public enum Kind: Hashable, Sendable {
        /// A non-negative integer id (user or group).
        case numericID
        /// Three or four octal digits, e.g. `002`.
        case umask
        /// An IANA time zone such as `Europe/Berlin` or `Etc/UTC`.
        case timeZone
        /// An IPv4 or IPv6 address to bind published ports to.
        case ipAddress
        /// An IPv4 subnet in CIDR notation for a Docker network (`FrontDoor.Subnet`).
        case ipv4Subnet
        /// A host port number.
        case port
        /// An absolute host path.
        case absolutePath
        /// An absolute host path, or empty to turn the feature off.
        case optionalAbsolutePath
        /// A comma-separated list of catalog service names.
        case serviceList
        /// A six-field cron expression (seconds first), as Watchtower expects.
        case cronWithSeconds
        /// A secret: never printed, never rendered; `.env.example` holds a placeholder.
        case secret(placeholder: String)
        /// One of a fixed set of words, spelt exactly (the apps compare case-sensitively).
        case oneOf([String])
        /// Free text.
        case text
        /// A whole number of seconds within a range.
        case seconds(ClosedRange<Int>)
        /// A release tag of one image, in its publisher's scheme (no `latest`, no pre-release).
        case imageTag(repository: String, scheme: TagScheme)
        /// A host name or IP address alone: no scheme, port or path.
        case hostName
        /// A whole number within a range (a count, such as connections).
        case count(ClosedRange<Int>)
    }

    /// The `.env.example` section a setting is listed under, in this order.
    public enum Section: String, Hashable, Sendable, CaseIterable {
        case identity = "Who the containers run as"
        case network = "Network"
        case paths = "Paths on the host"
        case services = "Which services run"
        case indexers = "Indexers in Prowlarr (added by `mediaserver wire`)"
        case ports = "Host ports (read by `mediaserver render`; re-render after a change)"
        case secrets = "Secrets (generate them with `mediaserver init`; never commit .env)"
        case usenet = "Usenet provider (`mediaserver wire` adds it to SABnzbd; empty USENET_HOST: none)"
        case operations = "Updates, backups and dashboards"
        /// Written by `mediaserver upgrade`; not listed in `.env.example`, so an unset key follows the catalog's pin.
        case imageTags = "Image tags (written by `mediaserver upgrade`)"
    }

    public let key: String
    public let defaultValue: String
    public let kind: Kind
    public let section: Section
    /// One or two sentences for `.env.example`.
    public let help: String
    /// Whether an empty value is acceptable (optional secrets such as a Plex claim token).
    public let mayBeEmpty: Bool
    /// Lines `.env.example` shows commented out after the setting, for settings that come with keys of their own.
    public let example: [String]

    public init(
        _ key: String, _ defaultValue: String, _ kind: Kind, _ section: Section, help: String, mayBeEmpty: Bool = false,
        example: [String] = []
    ) {
        self.key = key
        self.defaultValue = defaultValue
        self.kind = kind
        self.section = section
        self.help = help
        self.mayBeEmpty = mayBeEmpty
        self.example = example
    }

    /// A setting the code reads by name.
    public init(
        _ key: SettingKey, _ defaultValue: String, _ kind: Kind, _ section: Section, help: String,
        mayBeEmpty: Bool = false, example: [String] = []
    ) {
        self.init(key.rawValue, defaultValue, kind, section, help: help, mayBeEmpty: mayBeEmpty, example: example)
    }

    public var isSecret: Bool {
        if case .secret = kind { return true }
        return false
    }
}
