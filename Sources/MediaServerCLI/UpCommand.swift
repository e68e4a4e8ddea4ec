import ArgumentParser
import Foundation
import MediaStack
import MediaStackOperations

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start the core stack, then the dashboard stack, and wait until every service is healthy.",
        discussion: """
            On a fresh clone it first writes .env as `mediaserver init --yes` would (with its default roots under \
            $\(EnvInitializer.rootPrefixVariable) when that is set, as `init --root-prefix` does). Renders the stack files for .env \
            (never replacing a file edited by hand), creates the config, data and backup folders with \
            the right owners, writes the API keys of .env into the files SABnzbd, Bazarr and Tautulli read at their \
            first start (keeping any value those files already have, and saying so), starts compose.yml (which \
            creates media_net) and then homepage-stack.yml, and waits for every healthcheck, saying what it waits \
            for. When a service fails it names it and shows its last log lines. Then it connects the apps to each \
            other as `mediaserver wire` does (`--no-wire` skips it). Running it again changes nothing.

            Examples:
              mediaserver up
              mediaserver up --timeout 600
              mediaserver up --no-wire
              mediaserver up --json | jq .ok
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "Seconds to wait for each stack to become healthy.")
    var timeout: Int = 300

    @Flag(name: .customLong("no-wire"), help: "Do not connect the apps to each other afterwards (`mediaserver wire`).")
    var noWire = false
    @Flag(help: "Print the result as JSON on stdout (progress stays on stderr).")
    var json = false

    func validate() throws {
        try common.validateRoot()
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        if json, let problem = await Deployment.engineProblem() {
            try Console.json(StackUp.Report(ok: false, error: problem))
            Console.error("error: \(problem)")
            throw ExitCode.failure
        }
        let json = json
        let up = StackUp(
            checkout: common.rootURL, settingsPath: common.envFile, timeout: .seconds(timeout),
            progress: { Console.error($0) },
            // Under --json, stdout carries up's own report only.
            output: { json ? Console.error($0) : Console.output($0) })
        let report: StackUp.Report
        do {
            report = try await up.run(wire: !noWire)
        } catch let failure as StackUp.Failure {
            let code = failure.diagnostic.report()
            if json { try Console.json(failure.report) }
            throw code
        }
        if json { try Console.json(report) }
        if !report.ok { throw ExitCode.failure }
    }
}
