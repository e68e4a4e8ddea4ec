import Foundation
import MediaStack

/// The `wire` use case: reconciles every enabled app's wiring with what it holds, stores the keys it obtains in
/// `.env` and records what it created, and says what happened (`up` runs it once the stacks are healthy).
public struct StackWire: Sendable {
    /// The checkout (`.mediaserver-wiring.json` is kept there).
    public let checkout: URL
    /// The settings file the keys are stored in, relative to the checkout unless absolute.
    public let settingsPath: String
    /// How long each call to an app may take.
    public let timeout: Duration
    public let transport: any WiringTransport
    /// Stops and starts an app's container (Tautulli's); nil: through Docker Compose, for the checkout's render.
    public let containers: (any WiringContainers)?

    public init(
        checkout: URL, settingsPath: String, timeout: Duration = .seconds(15),
        transport: any WiringTransport = URLSessionWiringTransport(), containers: (any WiringContainers)? = nil
    ) {
        self.checkout = checkout
        self.settingsPath = settingsPath
        self.timeout = timeout
        self.transport = transport
        self.containers = containers
    }

    /// What the wiring did, or would do.
    public struct Outcome: Sendable {
        public let dryRun: Bool
        public let apps: [AppWiringReport]
        /// The apps that could not be wired.
        public var failed: [String] { apps.filter { $0.failure != nil }.map(\.app) }
        public var changed: Bool { apps.contains { $0.changed } }
        /// Every app was wired.
        public var ok: Bool { failed.isEmpty }

        /// One line per step: `app: done: …`, `app: would …`, `app: not done: …`, or what was found.
        public var lines: [String] {
            apps.flatMap { report in
                report.items.map { item in
                    let prefix: String
                    switch item.change {
                    case "create", "update": prefix = item.done ? "done: " : (dryRun ? "would " : "not done: ")
                    default: prefix = ""
                    }
                    return "\(report.app): \(prefix)\(item.description)"
                }
            }
        }

        /// The failures, and one line that sums the run up.
        public var summary: [String] {
            var lines = apps.compactMap { $0.failure.map { "error: \($0)" } }
            let items = apps.flatMap(\.items)
            let planned = items.filter { $0.change == "create" || $0.change == "update" }.count
            let forYou = items.filter { $0.change == "needs-you" }.count
            if forYou > 0 { lines.append("wire: \(forYou) step(s) need you (see above)") }
            if !failed.isEmpty {
                lines.append(
                    "wire: \(failed.count) of \(apps.count) apps could not be wired (\(failed.joined(separator: ", ")));"
                        + " the others were wired")
            } else if dryRun {
                lines.append(
                    planned == 0
                        ? "wire: nothing to change; every app is wired as desired"
                        : "wire: \(planned) changes planned; run `mediaserver wire` to make them")
            } else {
                lines.append(
                    changed
                        ? "wire: every app is wired" : "wire: nothing changed; every app was already wired as desired")
            }
            return lines
        }
    }

    /// Wires every enabled app of `settings` (`overrides` reach an app at another address); `dryRun` changes
    /// nothing. Throws ``OperationFailure`` when the settings file or the record of created objects cannot be used.
    public func run(
        settings: Settings, overrides: [ServiceName: URL] = [:], dryRun: Bool = false,
        progress: (String) -> Void = { _ in }
    ) async throws -> Outcome {
        let envURL =
            settingsPath.hasPrefix("/")
            ? URL(fileURLWithPath: settingsPath) : checkout.appendingPathComponent(settingsPath)
        guard FileManager.default.fileExists(atPath: envURL.path) else {
            throw OperationFailure([
                "error: \(envURL.path) does not exist; fix: run `mediaserver init`, then `mediaserver up`"
            ])
        }
        let ownership: WiringOwnership
        do {
            ownership = try WiringOwnership.load(root: checkout)
        } catch {
            throw OperationFailure(["error: \(error)"])
        }
        let secrets = EnvSecretStore(url: envURL)
        let stack = Stack(settings: settings)
        let context = WiringContext(
            transport: transport, timeout: timeout, secrets: secrets, ownership: ownership,
            containers: containers
                ?? ComposeWiringContainers.forCheckout(checkout, settingsPath: settingsPath, stack: stack))
        let targets = WiringTargets(stack: stack, secrets: secrets, overrides: overrides)
        let (apps, setupFailures) = targets.wirings()
        // Plex is wired in two steps (token, then libraries): count apps, not steps.
        let count = Set(apps.map(\.app)).count
        progress(dryRun ? "planning the wiring (dry run) …" : "wiring \(count) apps …")
        let reports = await WiringRun(context: context, dryRun: dryRun).run(apps, setupFailures: setupFailures)
        if !dryRun {
            do {
                try context.ownership.save(root: checkout)
            } catch {
                throw OperationFailure([
                    "error: cannot write \(checkout.appendingPathComponent(WiringOwnership.fileName).path): \(error)"
                ])
            }
        }
        return Outcome(dryRun: dryRun, apps: reports)
    }
}
