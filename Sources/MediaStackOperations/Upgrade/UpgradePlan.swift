import Foundation
import MediaStack

/// What `mediaserver upgrade` will do: per service the running tag and the tag it moves to, in the order the
/// services are recreated (a service after the services it depends on; the core stack before the dashboard stack).
public struct UpgradePlan: Sendable, Hashable, Encodable {
    /// One service moving from one tag to another.
    public struct Step: Sendable, Hashable, Encodable {
        public let service: String
        /// The compose file the service belongs to.
        public let stack: String
        public let image: String
        public let from: String
        public let to: String
        /// The `.env` setting that will hold `to`.
        public let setting: String
        /// `${CONFIG_ROOT}/<service>`, copied before the recreate and put back on a rollback; nil when the service
        /// has no config folder.
        public let configFolder: String?
        public let releaseNotes: String?

        /// The exact image reference pulled.
        public var reference: String { "\(image):\(to)" }
    }

    public let steps: [Step]
    /// Services asked about that already run their newest release tag.
    public let upToDate: [String]

    public init(steps: [Step], upToDate: [String]) {
        self.steps = steps
        self.upToDate = upToDate
    }

    /// The enabled services called `names` (all enabled services when empty), in upgrade order.
    public static func services(named names: [String], in stack: Stack) throws(UpgradeError) -> [Service] {
        for name in names where !stack.services.contains(where: { $0.name.rawValue == name }) {
            throw stack.catalog.contains { $0.name.rawValue == name }
                ? .disabledService(name) : .unknownService(name)
        }
        let chosen = names.isEmpty ? stack.services : stack.services.filter { names.contains($0.name.rawValue) }
        return ordered(chosen)
    }

    /// `services` with every service after the services of the same set it depends on, the core stack first;
    /// otherwise in catalog order.
    public static func ordered(_ services: [Service]) -> [Service] {
        var result: [Service] = []
        for stackID in StackID.allCases {
            var pending = services.filter { $0.stack == stackID }
            while !pending.isEmpty {
                let placed = Set(result.map(\.name))
                let inSet = Set(pending.map(\.name))
                // A dependency outside the set is already running; one inside must come first. A cycle (which
                // the catalog checks rule out) would keep everything pending: take the first then.
                let index =
                    pending.firstIndex { service in
                        service.dependsOn.allSatisfy { placed.contains($0) || !inSet.contains($0) }
                    } ?? pending.startIndex
                result.append(pending.remove(at: index))
            }
        }
        return result
    }

    /// The plan for `services` (in upgrade order) from what their registries list: each service's newest release
    /// tag, or `target` for the one service named.
    public static func make(
        services: [Service], results: [UpgradeCheck.Result], target: String?, configRoot: String
    ) throws(UpgradeError) -> UpgradePlan {
        var steps: [Step] = []
        var upToDate: [String] = []
        for service in services {
            guard let result = results.first(where: { $0.service == service.name.rawValue }) else { continue }
            if let target {
                guard service.image.scheme.accepts(target) else {
                    throw .notAReleaseTag(
                        service: service.name.rawValue, tag: target, scheme: service.image.scheme.description)
                }
                guard target != service.image.tag else {
                    throw .alreadyAt(service: service.name.rawValue, tag: target)
                }
            }
            if let error = result.error {
                throw .registry(service: result.service, image: result.image, reason: error)
            }
            let chosen: String
            if let target {
                guard result.newer.contains(target) || result.otherMajors.contains(target) else {
                    throw .notPublished(
                        service: result.service, image: result.image, tag: target,
                        newer: result.newer + result.otherMajors)
                }
                chosen = target
            } else if let newest = result.newest {
                chosen = newest
            } else {
                upToDate.append(service.name.rawValue)
                continue
            }
            let hasConfig = service.mounts.contains { mount in
                if case .config = mount.source { return true }
                return false
            }
            steps.append(
                Step(
                    service: service.name.rawValue, stack: service.stack.composeFile, image: service.image.repository,
                    from: service.image.tag, to: chosen, setting: service.imageTagSetting,
                    configFolder: hasConfig ? "\(configRoot)/\(service.name.rawValue)" : nil,
                    releaseNotes: result.releaseNotes))
        }
        return UpgradePlan(steps: steps, upToDate: upToDate)
    }
}
