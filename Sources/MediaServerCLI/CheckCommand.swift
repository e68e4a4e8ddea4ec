import ArgumentParser
import Foundation
import MediaStack
import MediaStackChecks
import MediaStackOperations
import MediaStackRendering

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report problems in the settings, the model and the rendered stack files.",
        discussion: """
            Checks host-port clashes (Plex's host-network ports included), duplicate names, variables used but \
            not set, disabled services that others still need, and drift from a fresh render. Security: a .env \
            tracked by git or readable by others, placeholder secrets, ports published on every interface, \
            socket mounts or privileged containers without a declared reason, reachable logins without a jail. When Docker Compose \
            v2 is installed it also runs `docker compose config -q` on each stack alone and on both merged.

            Examples:
              mediaserver check
              mediaserver check --json | jq '.findings[] | select(.severity == "error")'
              mediaserver check --env-file .env.example --no-compose

            Exit codes: 0 no errors (warnings allowed), 2 errors found, 64 usage.
            """)

    @OptionGroup var common: CommonOptions

    @Flag(name: .customLong("no-compose"), help: "Skip `docker compose config` even when Compose is installed.")
    var noCompose = false

    @Flag(help: "Print the findings as JSON.")
    var json = false

    func validate() throws { try common.validateRoot() }

    struct Report: Encodable {
        let settings: String
        let findings: [Finding]
        let errors: Int
        let warnings: Int
    }

    func run() async throws {
        let json = json
        let report = try await StackCheck(checkout: common.rootURL).run(
            settingsPath: common.envFile, compose: !noCompose, progress: { if !json { Console.error($0) } })
        if json {
            try? Console.json(
                Report(
                    settings: report.source, findings: report.findings, errors: report.errors,
                    warnings: report.warnings))
        } else {
            for finding in report.findings { Console.output(finding.description) }
            Console.error("check: \(report.errors) error(s), \(report.warnings) warning(s) for \(report.source)")
        }
        if report.findings.hasErrors { throw ExitCode.findings }
    }
}
