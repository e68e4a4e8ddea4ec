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
        let render = StackRender(checkout: common.rootURL)
        let plan: StackRender.Plan
        do {
            plan = try render.plan(settingsPath: common.envFile, force: force)
        } catch StackRender.Refusal.findings(let source, let findings) {
            try fail(findings, settings: source)
        }
        let pending = plan.pending
        if check {
            if json {
                try Console.json(
                    Report(settings: plan.source, changes: pending, findings: plan.findings, ok: pending.isEmpty))
            } else {
                for change in pending {
                    Console.output("\(change.path): differs from a fresh render (\(change.action.rawValue))")
                }
                if pending.isEmpty {
                    Console.error(
                        "render --check: all \(plan.files.count) files match a fresh render of \(plan.source)")
                }
            }
            if !pending.isEmpty {
                if !json { Console.error("run `mediaserver render` to update them") }
                throw ExitCode.failure
            }
            return
        }
        do {
            try render.write(plan)
        } catch StackRender.Refusal.handEdited(let plan) {
            if json {
                try Console.json(
                    Report(settings: plan.source, changes: plan.changes, findings: plan.findings, ok: false))
            } else {
                for change in plan.kept {
                    let why =
                        change.action == .keepHandEdited
                        ? "was edited by hand since the last render" : "was not written by mediaserver and differs"
                    Console.error("error: \(change.path) \(why)")
                }
                Console.error(
                    "  fix: move the change into .env or the catalog and run `mediaserver render --force`, which"
                        + " replaces \(plan.kept.count == 1 ? "it" : "them") (see the difference with `git diff`)")
                Console.error("nothing was written")
            }
            throw ExitCode.failure
        } catch StackRender.Refusal.write(let error) {
            Console.error("error: \(error.description)\n  fix: \(error.fix)")
            throw ExitCode.failure
        }
        if json {
            try Console.json(Report(settings: plan.source, changes: plan.changes, findings: plan.findings, ok: true))
        } else {
            for change in pending { Console.output("\(change.action.rawValue): \(change.path)") }
            for finding in plan.findings { Console.error(finding.description) }
            let (written, removed) = plan.counts
            Console.error(
                "rendered \(plan.files.count) files from \(plan.source) into"
                    + " \(render.display(plan.folder)): \(written) written"
                    + (removed > 0 ? ", \(removed) removed" : "") + (written + removed == 0 ? " (all up to date)" : ""))
        }
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
