import MediaStack

/// Renders `.compose-lint.yml`: every high or critical compose-lint finding that the catalog declares as a
/// deliberate exception, suppressed for exactly the services that declare it, with the catalog's reason.
///
/// compose-lint reads this file from the current directory, so run it from the repository root:
/// `compose-lint compose.yml homepage-stack.yml`.
public struct ComposeLintConfigRenderer: Sendable {
    public static let path = ".compose-lint.yml"

    public init() {}

    /// The compose-lint rule a declared exception answers.
    public static func rule(for kind: SecurityException.Kind) -> String {
        switch kind {
        case .dockerSocket: "CL-0001"
        case .privileged: "CL-0002"
        case .newPrivileges: "CL-0003"
        case .networkAdmin: "CL-0011"
        case .sensitiveHostPath: "CL-0013"
        case .hostDevice: "CL-0016"
        case .hostNamespace: "CL-0010"
        }
    }

    /// compose-lint's rule for `network_mode: host`.
    public static let hostNetworkRule = "CL-0008"

    /// Rule id → (service, reason), in rule order and then catalog order.
    public static func suppressions(_ stack: Stack) -> [(rule: String, entries: [(ServiceName, String)])] {
        var byRule: [String: [(ServiceName, String)]] = [:]
        for service in stack.services {
            if case .host(let reason) = service.network {
                byRule[hostNetworkRule, default: []].append((service.name, reason))
            }
            for exception in service.security.exceptions {
                byRule[rule(for: exception.kind), default: []].append((service.name, exception.reason))
            }
        }
        return byRule.keys.sorted().map { ($0, byRule[$0] ?? []) }
    }

    public func render(_ stack: Stack) throws -> RenderedFile {
        let rules: [(String, YAMLValue)] = Self.suppressions(stack).map { rule, entries in
            (rule, .map([("exclude_services", .map(entries.map { ($0.0.rawValue, .string($0.1)) }))]))
        }
        let header =
            RenderHeader.lines + [
                "Each entry is a SecurityException (or a host network reason) declared in the catalog.",
                "Run from the repository root: compose-lint compose.yml homepage-stack.yml",
            ]
        return RenderedFile(path: Self.path, contents: try YAMLValue.map([("rules", .map(rules))]).yaml(header: header))
    }
}
