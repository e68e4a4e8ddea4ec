import Foundation
import MediaStack

/// Runs the wiring of every app: the apps of one wave at once (they are independent), waves in order, each app's
/// actions in plan order. An app that is down or refuses stops only its own wiring.
public struct WiringRun: Sendable {
    public let context: WiringContext
    public let dryRun: Bool

    public init(context: WiringContext, dryRun: Bool) {
        self.context = context
        self.dryRun = dryRun
    }

    public func run(_ apps: [any AppWiring], setupFailures: [WiringFailure] = []) async -> [AppWiringReport] {
        var result = [AppWiringReport?](repeating: nil, count: apps.count)
        let waves = Self.waves(apps)
        for wave in Set(waves).sorted() {
            let members = apps.enumerated().filter { waves[$0.offset] == wave }
            let reports = await withTaskGroup(of: (Int, AppWiringReport).self) { group in
                for (index, app) in members {
                    group.addTask { (index, await wire(app)) }
                }
                var done: [(Int, AppWiringReport)] = []
                for await entry in group { done.append(entry) }
                return done
            }
            for (index, report) in reports { result[index] = report }
        }
        // An app wired in two steps of different waves (Plex: its token, then its libraries) is one report.
        var reports: [AppWiringReport] = []
        for report in result.compactMap({ $0 }) {
            guard let index = reports.firstIndex(where: { $0.app == report.app }) else {
                reports.append(report)
                continue
            }
            let first = reports[index]
            reports[index] = AppWiringReport(
                app: first.app, items: first.items + report.items, failure: first.failure ?? report.failure)
        }
        // A key missing from .env is reported with the app it concerns, beside what could be wired.
        var merged = reports
        for failure in setupFailures {
            if let index = merged.firstIndex(where: { $0.app == failure.app.rawValue && $0.failure == nil }) {
                let report = merged[index]
                merged[index] = AppWiringReport(app: report.app, items: report.items, failure: failure.description)
            } else {
                merged.append(AppWiringReport(app: failure.app.rawValue, items: [], failure: failure.description))
            }
        }
        return merged
    }

    /// The wave each step runs in: its own, or for a step that follows its app's other steps, the one after the
    /// latest of theirs (its own when the app has no other step).
    static func waves(_ apps: [any AppWiring]) -> [Int] {
        apps.map { step in
            guard step.followsTheAppsOtherSteps else { return step.wave }
            let others = apps.filter { $0.app == step.app && !$0.followsTheAppsOtherSteps }.map(\.wave)
            return others.max().map { max($0 + 1, step.wave) } ?? step.wave
        }
    }

    func wire(_ app: any AppWiring) async -> AppWiringReport {
        let plan: [WiringAction]
        do {
            plan = try await app.plan(context)
        } catch {
            return AppWiringReport(app: app.app.rawValue, items: [], failure: error.description)
        }
        var items: [AppWiringReport.Item] = []
        var failure: WiringFailure?
        for action in plan {
            var done = false
            if action.changesSomething && !dryRun && failure == nil {
                do {
                    try await app.apply(action, context)
                    done = true
                } catch {
                    failure = error
                }
            }
            items.append(Self.item(action, done: done))
        }
        return AppWiringReport(app: app.app.rawValue, items: items, failure: failure?.description)
    }

    static func item(_ action: WiringAction, done: Bool) -> AppWiringReport.Item {
        let (change, drifted): (String, [String]) =
            switch action.change {
            case .create: ("create", [])
            case .update(let fields): ("update", fields)
            case .unchanged: ("unchanged", [])
            case .userMade: ("user-made", [])
            case .driftedNotUpdatable(let fields): ("drifted-not-updatable", fields)
            case .needsPerson: ("needs-you", [])
            }
        return AppWiringReport.Item(
            kind: action.kind, name: action.key, change: change, drifted: drifted, done: done,
            description: action.description)
    }
}
