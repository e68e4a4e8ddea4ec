/// One of the two Compose stacks of the seed architecture.
public enum StackID: String, Sendable, Hashable, CaseIterable, Comparable {
    /// `compose.yml`: media apps, security, updates and backups.
    case core
    /// `homepage-stack.yml`: dashboard and monitoring.
    case dashboard

    /// The rendered Compose file, relative to the repository root.
    public var composeFile: String {
        switch self {
        case .core: "compose.yml"
        case .dashboard: "homepage-stack.yml"
        }
    }

    /// The Compose project name written into the file's `name:` key.
    public var projectName: String {
        switch self {
        case .core: "mediaserver"
        case .dashboard: "mediaserver-dashboard"
        }
    }

    private var rank: Int {
        switch self {
        case .core: 0
        case .dashboard: 1
        }
    }

    public static func < (lhs: StackID, rhs: StackID) -> Bool { lhs.rank < rhs.rank }
}
