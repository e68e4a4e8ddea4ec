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
            """)

    @OptionGroup var common: CommonOptions

    func validate() throws { try common.validateRoot() }

    func run() async throws {
        let deployment = try await Deployment.open(common, render: false)
        // Reverse order: the dashboard stack joins media_net, which the core stack owns and removes.
        for stack in deployment.stacks.reversed() {
            Console.error("stopping \(stack.composeFile) …")
            let output = try await deployment.driver.down(stack)
            guard output.succeeded else {
                Console.error("error: \(ComposeError.failed(output))")
                throw ExitCode.failure
            }
        }
        Console.error("down: both stacks stopped")
    }
}
