import ArgumentParser
import Foundation
import MediaStack
import MediaStackOperations

struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop the dashboard stack, then the core stack (configs, media and backups are kept).",
        discussion: """
            Examples:
              mediaserver down
              mediaserver down --json
            """)

    @OptionGroup var common: CommonOptions

    @Flag(help: "Print the result as JSON on stdout (progress stays on stderr).")
    var json = false

    /// The result of `down --json`.
    struct Report: Encodable {
        let ok: Bool
        /// The compose files stopped, in order.
        var stacks: [String] = []
        /// Why it failed, in one sentence.
        var error: String? = nil
    }

    func validate() throws { try common.validateRoot() }

    func run() async throws {
        if json, let problem = await Deployment.engineProblem() {
            try Console.json(Report(ok: false, error: problem))
            Console.error("error: \(problem)")
            throw ExitCode.failure
        }
        let deployment = try await Deployment.open(common, render: false)
        var report = Report(ok: true)
        // Reverse order: the dashboard stack joins media_net, which the core stack owns and removes.
        for stack in deployment.stacks.reversed() {
            Console.error("stopping \(stack.composeFile) …")
            let output = try await deployment.driver.down(stack)
            guard output.succeeded else {
                Console.error("error: \(ComposeError.failed(output))")
                if json {
                    try Console.json(Report(ok: false, stacks: report.stacks, error: "\(ComposeError.failed(output))"))
                }
                throw ExitCode.failure
            }
            report.stacks.append(stack.composeFile)
        }
        if json { try Console.json(report) }
        Console.error("down: both stacks stopped")
    }
}
