import Foundation
import MediaStack
import MediaStackChecks
import MediaStackRendering

/// The render → check → write policy every command that renders follows (`render`, `up`).
///
/// The settings are read and validated, the stack rendered and checked, and the result compared with the render
/// folder (the checkout for `.env.example`, `deploy/` for a user's `.env`). Nothing is written when a setting is
/// wrong, a check finds an error, or a file was edited by hand since the last render: updating only the other files
/// would leave a stack whose files disagree (a port changed in Homepage's link but not in compose.yml). Otherwise
/// every file is written together or not at all (``RenderWriter``).
public struct StackRender: Sendable {
    /// The checkout holding the settings file.
    public let checkout: URL
    public let environment: [String: String]

    public init(checkout: URL, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.checkout = checkout
        self.environment = environment
    }

    /// What a render of one settings file is, and what writing it would change.
    public struct Plan: Sendable {
        public let settings: Settings
        public let stack: Stack
        /// Where the render goes.
        public let folder: URL
        public let files: [RenderedFile]
        /// Every finding of the checks (warnings only: a plan with errors is refused).
        public let findings: [Finding]
        /// One entry for every rendered file, and for each earlier one to remove.
        public let changes: [RenderWriter.Change]

        /// The settings file, as given (or `.env` / `.env.example` when none was).
        public var source: String { settings.source }
        /// The changes that write or remove something.
        public var pending: [RenderWriter.Change] { changes.filter { $0.action != .unchanged } }
        /// Files edited by hand, or not written by mediaserver, that differ from the render.
        public var kept: [RenderWriter.Change] {
            changes.filter { $0.action == .keepHandEdited || $0.action == .keepForeign }
        }
        /// How many files are created or updated, and how many removed.
        public var counts: (written: Int, removed: Int) {
            (
                changes.filter { $0.action == .create || $0.action == .update }.count,
                changes.filter { $0.action == .remove }.count
            )
        }
    }

    /// Why nothing was written.
    public enum Refusal: Error, Sendable {
        /// The settings cannot be used, or a check found an error: every finding (warnings too), for `source`.
        case findings(source: String, [Finding])
        /// A file was edited by hand since the last render (``Plan/kept`` names them).
        case handEdited(Plan)
        /// A file could not be written; nothing was changed (unless the error says otherwise).
        case write(RenderWriter.WriteError)
    }

    /// Reads `settingsPath` (the default settings file when nil), renders and checks the stack, and compares the
    /// render with its folder; `force` plans to replace hand-edited files. Throws ``Refusal/findings(source:_:)``.
    public func plan(settingsPath: String?, force: Bool = false) throws -> Plan {
        let loader = SettingsLoader(root: checkout, environment: environment)
        let settings: Settings
        do {
            settings = try loader.load(settingsPath)
        } catch {
            throw Refusal.findings(source: settingsPath ?? loader.defaultPath(), error.findings)
        }
        let stack = Stack(settings: settings)
        let files = try StackRenderer().render(stack)
        let findings = StackChecks().run(stack, rendered: files)
        if findings.hasErrors { throw Refusal.findings(source: settings.source, findings) }
        let folder = RenderLocation.folder(checkout: checkout, settingsPath: settings.source)
        let changes = RenderWriter(root: folder).plan(files, force: force)
        return Plan(
            settings: settings, stack: stack, folder: folder, files: files, findings: findings, changes: changes)
    }

    /// Writes `plan` all or nothing and links the settings file into the render folder. Throws
    /// ``Refusal/handEdited(_:)`` when a file was edited by hand, ``Refusal/write(_:)`` when one cannot be written.
    public func write(_ plan: Plan) throws {
        guard plan.kept.isEmpty else { throw Refusal.handEdited(plan) }
        do {
            try RenderWriter(root: plan.folder).apply(plan.files, plan.changes)
        } catch let error as RenderWriter.WriteError {
            throw Refusal.write(error)
        }
        try RenderLocation.linkSettings(in: plan.folder, checkout: checkout, settingsPath: plan.source)
    }

    /// `deploy/`, or `the checkout` for the committed files.
    public func display(_ folder: URL) -> String {
        folder.standardizedFileURL.path == checkout.standardizedFileURL.path
            ? "the checkout" : folder.lastPathComponent + "/"
    }

    /// Before the first render into `deploy/`: the files of the checkout's root that hold a render of the plan's
    /// settings from an earlier layout (`mediaserver migrate` moves them), so an install does not end up with two
    /// renders and a checkout `git pull` refuses. Empty when there are none, or the plan renders into the root.
    public func earlierRenderAtRoot(_ plan: Plan) throws -> [String] {
        guard plan.folder.path != checkout.path, !FileManager.default.fileExists(atPath: plan.folder.path),
            let committed = try? committedFiles()
        else { return [] }
        let steps = RenderMigration(checkout: checkout, deployment: plan.folder).plan(
            user: plan.files, committed: committed)
        return steps.filter { $0.action != .rendered }.map(\.path)
    }

    /// The render of `.env.example`: what the checkout's root holds in git. Throws ``Refusal/findings(source:_:)``
    /// when `.env.example` cannot be read.
    public func committedFiles() throws -> [RenderedFile] {
        let defaults: Settings
        do {
            defaults = try SettingsLoader(root: checkout, environment: environment).load(
                RenderLocation.committedSettings)
        } catch {
            throw Refusal.findings(source: RenderLocation.committedSettings, error.findings)
        }
        return try StackRenderer().render(Stack(settings: defaults))
    }
}
