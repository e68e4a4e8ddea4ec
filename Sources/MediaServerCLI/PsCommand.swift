import ArgumentParser
import Foundation
import MediaStack
import MediaStackOperations

struct PsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps",
        abstract: "List every container of both stacks with its state and health.",
        discussion: """
            Examples:
              mediaserver ps
              mediaserver ps --json | jq '.[] | select(.health == "unhealthy")'
            """)

    @OptionGroup var common: CommonOptions

    @Flag(help: "Print the list as JSON.")
    var json = false

    func validate() throws { try common.validateRoot() }

    func run() async throws {
        let deployment = try await Deployment.open(common, render: false)
        var rows: [ContainerStatus] = []
        for stack in deployment.stacks { rows += try await deployment.driver.ps(stack) }
        if json { return try Console.json(rows) }
        let width = (rows.map(\.service.count).max() ?? 7) + 2
        Console.output("SERVICE".padding(toLength: width, withPad: " ", startingAt: 0) + "STATE      HEALTH     STACK")
        for row in rows {
            Console.output(
                row.service.padding(toLength: width, withPad: " ", startingAt: 0)
                    + row.state.padding(toLength: 11, withPad: " ", startingAt: 0)
                    + (row.health.isEmpty ? "-" : row.health).padding(toLength: 11, withPad: " ", startingAt: 0)
                    + row.stack)
        }
        if rows.isEmpty { Console.error("no containers: run `mediaserver up`") }
    }
}
