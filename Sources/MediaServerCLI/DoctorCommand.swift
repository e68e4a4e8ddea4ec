import ArgumentParser
import Foundation
import MediaStack
import MediaStackChecks
import MediaStackOperations

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this host: Docker, ids, folders and owners, hardlinks, /dev/dri, space, ports, firewall.",
        discussion: """
            Each problem is a finding with a one-line fix. Hardlinks are tested with a real hard link between \
            DATA_ROOT/usenet and DATA_ROOT/media; ports by binding them on LAN_IP (Plex's on every interface). An \
            app that answers but is not wired to the others yet is a warning (`mediaserver wire` fixes it).

            With --upgrades it also asks each image's registry for newer release tags (`mediaserver upgrade \
            --check`) and reports each as a warning.

            Examples:
              mediaserver doctor
              mediaserver doctor --json
              mediaserver doctor --upgrades

            Exit codes: 0 no errors, 2 errors found, 64 usage.
            """)

    @OptionGroup var common: CommonOptions

    @Flag(help: "Print the findings as JSON.")
    var json = false

    @Flag(help: "Also ask each image's registry for newer release tags (needs the network).")
    var upgrades = false

    func validate() throws { try common.validateRoot() }

    struct Report: Encodable {
        let findings: [Finding]
        let errors: Int
        let warnings: Int
    }

    func run() async throws {
        let settings = try common.loadSettings()
        if !json { Console.error("checking the host for \(settings.source) …") }
        let stack = Stack(settings: settings)
        let envURL = common.rootURL.appendingPathComponent(common.envFile ?? ".env")
        var findings =
            await Doctor(stack: stack).run()
            + WiringCheck(stack: stack, root: common.rootURL, envURL: envURL).findings(timeout: .seconds(5))
        if upgrades {
            let results = await UpgradeCheck(client: RegistryClient()).run(
                stack.services.map(UpgradeCheck.Subject.init))
            findings += results.compactMap(\.finding)
        }
        let errors = findings.filter { $0.severity == .error }.count
        if json {
            try Console.json(Report(findings: findings, errors: errors, warnings: findings.count - errors))
        } else {
            for finding in findings { Console.output(finding.description) }
            Console.error("doctor: \(errors) error(s), \(findings.count - errors) warning(s)")
        }
        if errors > 0 { throw ExitCode.findings }
    }
}
