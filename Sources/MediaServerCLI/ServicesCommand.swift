import ArgumentParser
import Foundation
import MediaStack
import MediaStackOperations

struct ServicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "services",
        abstract: "List the enabled services with their stack, host ports, updates and health probe.",
        discussion: """
            UPDATES says how each service gets new images: `watchtower` for the sidecars the catalog lets Watchtower \
            follow (they carry the label com.centurylinklabs.watchtower.enable=true), `upgrade` for the rest, which \
            move only with `mediaserver upgrade` (docs/upgrade.md).

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
        /// Whether Watchtower follows the service's image (the catalog's `autoUpdate`, rendered as its opt-in label);
        /// otherwise only `mediaserver upgrade` moves it.
        let watchtower: Bool
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
                healthPath: service.health?.http?.path, healthPrograms: service.health?.programs ?? [],
                watchtower: service.autoUpdate)
        }
        if json { return try Console.json(rows) }
        for line in Self.table(rows) { Console.output(line) }
    }

    /// Widest the ports column grows before a row's ports continue on the next lines (Plex takes nine host ports).
    static let portsWidth = 24

    /// The rows as aligned columns under a header. A ports cell wider than `portsWidth` wraps at its commas onto
    /// continuation lines, so no port is cut and the probe column stays aligned.
    static func table(_ rows: [Row]) -> [String] {
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
        }
        let nameWidth = max(7, rows.map(\.name.count).max() ?? 0) + 2
        let stackWidth = max(5, rows.map(\.stack.count).max() ?? 0) + 2
        let updatesWidth = 12
        var lines = [
            pad("SERVICE", nameWidth) + pad("STACK", stackWidth) + pad("PORTS", portsWidth + 2)
                + pad("UPDATES", updatesWidth) + "PROBE"
        ]
        for row in rows {
            var cells: [String] = []
            for port in row.ports {
                if let last = cells.last, last.count + 1 + port.count <= portsWidth {
                    cells[cells.count - 1] = last + "," + port
                } else {
                    cells.append(port)
                }
            }
            if cells.isEmpty { cells = ["-"] }
            lines.append(
                pad(row.name, nameWidth) + pad(row.stack, stackWidth) + pad(cells[0], portsWidth + 2)
                    + pad(row.watchtower ? "watchtower" : "upgrade", updatesWidth) + row.probe)
            for cell in cells.dropFirst() {
                lines.append(String(repeating: " ", count: nameWidth + stackWidth) + cell)
            }
        }
        return lines
    }

    private func probe(_ service: Service) -> String {
        guard let health = service.health else { return service.profiles.isEmpty ? "-" : "on demand" }
        switch health.kind {
        case .http(let path, let port, let status, _): return "GET :\(port)\(path) → \(status)"
        case .command(let arguments): return arguments.joined(separator: " ")
        }
    }
}
