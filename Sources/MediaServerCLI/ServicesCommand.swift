import ArgumentParser
import Foundation
import MediaStack
import MediaStackOperations

struct ServicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "services",
        abstract: "List the enabled services with their stack, host ports and health probe.",
        discussion: """
            Examples:
              mediaserver services
              mediaserver services --json
            """)

    @OptionGroup var common: CommonOptions

    @Flag(help: "Print the list as JSON.")
    var json = false

    func validate() throws { try common.validateRoot() }

    struct Row: Encodable {
        let name: String
        let container: String
        let stack: String
        let image: String
        let ports: [String]
        let probe: String
        let summary: String
        let network: String
        /// The container port and path of an HTTP probe.
        let healthPort: Int?
        let healthPath: String?
        /// The programs a command probe runs inside the container.
        let healthPrograms: [String]
    }

    func run() async throws {
        let settings = try common.loadSettings()
        let rows = Stack(settings: settings).services.map { service in
            Row(
                name: service.name.rawValue, container: service.containerName, stack: service.stack.rawValue,
                image: service.image.description,
                ports: service.ports.map { "\($0.hostPort)->\($0.containerPort)/\($0.proto.rawValue)" }
                    + service.hostPorts.map { "host:\($0.port)/\($0.proto.rawValue)" },
                probe: probe(service), summary: service.summary,
                network: service.usesHostNetwork ? "host" : "media_net", healthPort: service.health?.http?.port.value,
                healthPath: service.health?.http?.path, healthPrograms: service.health?.programs ?? [])
        }
        if json { return try Console.json(rows) }
        let width = (rows.map(\.name.count).max() ?? 4) + 2
        for row in rows {
            let name = row.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let stack = row.stack.padding(toLength: 10, withPad: " ", startingAt: 0)
            let ports = row.ports.joined(separator: ",").padding(toLength: 22, withPad: " ", startingAt: 0)
            Console.output("\(name)\(stack)\(ports)\(row.probe)")
        }
    }

    private func probe(_ service: Service) -> String {
        guard let health = service.health else { return service.profiles.isEmpty ? "-" : "on demand" }
        switch health.kind {
        case .http(let path, let port, let status, _): return "GET :\(port)\(path) → \(status)"
        case .command(let arguments): return arguments.joined(separator: " ")
        }
    }
}
