import ArgumentParser
import Foundation
import MediaStack
import MediaStackChecks
import MediaStackOperations
import MediaStackRendering

struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render every stack file from the catalog and .env.",
        discussion: """
            Validates the settings and the model first and writes nothing if anything is wrong. The files are \
            written together or not at all: each goes to a temporary file beside it, and only when every one was \
            written are they renamed into place. A file changed by hand since the last render stops the whole \
            render (it is named, and nothing is written) unless --force; a file that is already right is not touched.

            Examples:
              mediaserver render
              mediaserver render --check    # exit 1 when a file differs from a render
              mediaserver render --env-file .env.example --json
            """)

    @OptionGroup var common: CommonOptions

    @Flag(help: "Write nothing; exit 1 and name each file that differs from a fresh render.")
    var check = false

    @Flag(help: "Overwrite files that were edited by hand (otherwise one such file stops the whole render).")
    var force = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        try common.validateRoot()
        if check && force { throw ValidationError("--check writes nothing, so --force has no meaning with it") }
    }

    struct Report: Encodable {
        let settings: String
        let changes: [RenderWriter.Change]
        let findings: [Finding]
        let ok: Bool
    }

    func run() async throws {
        let loader = SettingsLoader(root: common.rootURL)
        let settings: Settings
        do {
            settings = try loader.load(common.envFile)
        } catch {
            try fail(error.findings, settings: common.envFile ?? loader.defaultPath())
        }
        let stack = Stack(settings: settings)
        let files = try StackRenderer().render(stack)
        let findings = StackChecks().run(stack, rendered: files)
        if findings.hasErrors { try fail(findings, settings: settings.source) }

        let folder = common.renderFolder(settings.source)
        let writer = RenderWriter(root: folder)
        let changes = writer.plan(files, force: force)
        let pending = changes.filter { $0.action != .unchanged }
        if check {
            if json {
                try Console.json(
                    Report(settings: settings.source, changes: pending, findings: findings, ok: pending.isEmpty))
            } else {
                for change in pending {
                    Console.output("\(change.path): differs from a fresh render (\(change.action.rawValue))")
                }
                if pending.isEmpty {
                    Console.error("render --check: all \(files.count) files match a fresh render of \(settings.source)")
                }
            }
            if !pending.isEmpty {
                if !json { Console.error("run `mediaserver render` to update them") }
                throw ExitCode.failure
            }
            return
        }
        // One hand-edited file refuses the whole render: updating only the others would leave a stack whose
        // files disagree (a port changed in Homepage's link but not in compose.yml).
        let kept = changes.filter { $0.action == .keepHandEdited || $0.action == .keepForeign }
        if !kept.isEmpty {
            if json {
                try Console.json(Report(settings: settings.source, changes: changes, findings: findings, ok: false))
            } else {
                for change in kept {
                    let why =
                        change.action == .keepHandEdited
                        ? "was edited by hand since the last render" : "was not written by mediaserver and differs"
                    Console.error("error: \(change.path) \(why)")
                }
                Console.error(
                    "  fix: move the change into .env or the catalog and run `mediaserver render --force`, which"
                        + " replaces \(kept.count == 1 ? "it" : "them") (see the difference with `git diff`)")
                Console.error("nothing was written")
            }
            throw ExitCode.failure
        }
        do {
            try writer.apply(files, changes)
        } catch let error as RenderWriter.WriteError {
            Console.error("error: \(error.description)\n  fix: \(error.fix)")
            throw ExitCode.failure
        }
        try RenderLocation.linkSettings(in: folder, checkout: common.rootURL, settingsPath: settings.source)
        if json {
            try Console.json(Report(settings: settings.source, changes: changes, findings: findings, ok: true))
        } else {
            for change in changes where change.action != .unchanged {
                Console.output("\(change.action.rawValue): \(change.path)")
            }
            for finding in findings { Console.error(finding.description) }
            let written = changes.filter { $0.action == .create || $0.action == .update }.count
            let removed = changes.filter { $0.action == .remove }.count
            Console.error(
                "rendered \(files.count) files from \(settings.source) into \(Self.display(folder, in: common.rootURL)):"
                    + " \(written) written" + (removed > 0 ? ", \(removed) removed" : "")
                    + (written + removed == 0 ? " (all up to date)" : ""))
        }
    }

    /// `deploy/`, or `the checkout` for the committed files.
    static func display(_ folder: URL, in checkout: URL) -> String {
        folder.standardizedFileURL.path == checkout.standardizedFileURL.path
            ? "the checkout" : folder.lastPathComponent + "/"
    }

    private func fail(_ findings: [Finding], settings: String) throws -> Never {
        if json {
            try Console.json(Report(settings: settings, changes: [], findings: findings, ok: false))
        } else {
            for finding in findings { Console.error(finding.description) }
            Console.error("nothing was written")
        }
        throw ExitCode.findings
    }
}
