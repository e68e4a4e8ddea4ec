import ArgumentParser
import Foundation
import MediaStack
import MediaStackChecks
import MediaStackOperations
import MediaStackRendering

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Move a render of .env from the checkout's root into deploy/, so `git pull` works again.",
        discussion: """
            Earlier versions rendered your .env over the committed files at the repository root, which then \
            blocked `git pull`. Now the root holds the render of .env.example (what git has), and your render \
            lives in the git-ignored deploy/ folder, where `up`, `down`, `ps`, `backup` and `check` run Compose. \
            This command renders your settings into deploy/, carries over any root file you edited by hand as it \
            is, puts the committed render back at the root, and names every file it moved. The running \
            containers are not touched: the Compose project name stays `mediaserver`, so the next `mediaserver \
            up` adopts them from deploy/.

            Examples:
              mediaserver migrate
              mediaserver migrate --json

            Exit codes: 0 moved (or nothing to move), 1 failed, 2 invalid settings, 64 usage.
            """)

    @OptionGroup var common: CommonOptions

    @Flag(help: "Print what was moved as JSON.")
    var json = false

    func validate() throws {
        try common.validateRoot()
        if let envFile = common.envFile, RenderLocation.isCommitted(envFile, checkout: common.rootURL) {
            throw ValidationError("the render of .env.example is the committed one; name your settings file")
        }
    }

    struct Report: Encodable {
        let settings: String
        let deployment: String
        let steps: [RenderMigration.Step]
    }

    func run() async throws {
        let root = common.rootURL
        let envFile = common.envFile ?? ".env"
        guard FileManager.default.fileExists(atPath: common.composeSettingsPath(envFile)) else {
            Console.error("error: \(envFile) does not exist, so there is no render of it to move")
            throw ExitCode.failure
        }
        // The same render → check as `render` and `up`; what is written is the migration's own.
        let render = StackRender(checkout: root)
        let plan: StackRender.Plan
        let committedFiles: [RenderedFile]
        do {
            plan = try render.plan(settingsPath: envFile)
            committedFiles = try render.committedFiles()
        } catch StackRender.Refusal.findings(_, let findings) {
            for finding in findings where finding.severity == .error { Console.error(finding.description) }
            Console.error("nothing was moved")
            throw ExitCode.findings
        }
        let deployment = plan.folder
        let migration = RenderMigration(checkout: root, deployment: deployment)
        let steps = migration.plan(user: plan.files, committed: committedFiles)
        do {
            try migration.apply(steps, user: plan.files, committed: committedFiles)
            try RenderLocation.linkSettings(in: deployment, checkout: root, settingsPath: envFile)
        } catch {
            Console.error("error: could not write \(deployment.path): \(error.localizedDescription)")
            throw ExitCode.failure
        }
        if json {
            return try Console.json(
                Report(settings: envFile, deployment: RenderLocation.deploymentFolder + "/", steps: steps))
        }
        let moved = steps.filter { $0.action != .rendered }
        for step in moved {
            let note = step.action == .movedHandEdit ? " (your hand edit, kept as it is)" : ""
            Console.output("moved: \(step.path) → \(RenderLocation.deploymentFolder)/\(step.path)\(note)")
        }
        Console.error(
            moved.isEmpty
                ? "nothing to move: the root already holds the committed files; rendered \(envFile) into deploy/"
                : "moved \(moved.count) files into deploy/; the root holds the committed render again,"
                    + " so `git pull` works. Running containers are untouched; `mediaserver up` now runs in deploy/")
    }
}
