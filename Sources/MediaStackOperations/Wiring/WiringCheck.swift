import Foundation
import MediaStack
import MediaStackChecks

/// Finds apps that answer but are not wired yet, for `mediaserver health` and `mediaserver doctor`: it plans the
/// wiring as `wire --dry-run` does (reads only) and reports each app with pending changes. An app that does not
/// answer is left to the health probes.
public struct WiringCheck: Sendable {
    public let stack: Stack
    public let root: URL
    public let envURL: URL

    public init(stack: Stack, root: URL, envURL: URL) {
        self.stack = stack
        self.root = root
        self.envURL = envURL
    }

    public func findings(
        timeout: Duration, transport: any WiringTransport = URLSessionWiringTransport()
    ) async -> [Finding] {
        guard FileManager.default.fileExists(atPath: envURL.path),
            let ownership = try? WiringOwnership.load(root: root)
        else { return [] }
        let secrets = EnvSecretStore(url: envURL)
        let context = WiringContext(transport: transport, timeout: timeout, secrets: secrets, ownership: ownership)
        let (apps, _) = WiringTargets(stack: stack, secrets: secrets).wirings()
        let reports = await WiringRun(context: context, dryRun: true).run(apps)
        return reports.compactMap { report -> Finding? in
            let pending = report.items.filter { $0.change == "create" || $0.change == "update" }
            guard report.failure == nil, !pending.isEmpty else { return nil }
            return Finding(
                .warning, .unwiredApp, subject: report.app,
                message: "\(report.app) is up but not wired: "
                    + pending.map { "\($0.change) \($0.kind) \"\($0.name)\"" }.joined(separator: ", "),
                fix: "run `mediaserver wire` (`--dry-run` shows the plan)")
        }
    }
}
