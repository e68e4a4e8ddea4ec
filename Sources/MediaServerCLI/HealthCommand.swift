import ArgumentParser
import Foundation
import MediaStack
import MediaStackChecks
import MediaStackOperations

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Probe every enabled service at once and report which are up.",
        discussion: """
            Uses the same probe definitions that are rendered into the Compose healthchecks and the Blackbox \
            targets: HTTP probes go to each published port on LAN_IP (Plex: loopback); services without an HTTP \
            endpoint report their container's own healthcheck state through `docker inspect`.

            Examples:
              mediaserver health
              mediaserver health --timeout 2 --json
              mediaserver health --service sonarr --service radarr

            Exit codes: 0 all up, 1 something is down, 2 invalid settings, 64 usage.
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "Seconds each probe may take.")
    var timeout: Double = 5

    @Option(name: .customLong("service"), help: "Probe only this service (repeatable).")
    var services: [String] = []

    @Flag(help: "Print the outcomes as JSON.")
    var json = false

    func validate() throws {
        try common.validateRoot()
        guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must be between 0 and 300 seconds") }
    }

    struct Report: Encodable {
        let healthy: Bool
        /// Why no service was probed: no Docker engine answers (absent from the JSON when one does).
        var engine: String? = nil
        let services: [ProbeOutcome]
        /// Apps that answer but are not wired to the others yet (`mediaserver wire` fixes it).
        let unwired: [Finding]
    }

    func run() async throws {
        let settings = try common.loadSettings()
        var targets = ProbeTarget.targets(for: Stack(settings: settings))
        if !services.isEmpty {
            let known = Set(targets.map(\.service.rawValue))
            for name in services where !known.contains(name) {
                throw ValidationError("'\(name)' is not an enabled service with a probe; see `mediaserver services`")
            }
            targets = targets.filter { services.contains($0.service.rawValue) }
        }
        if !json { Console.error("probing \(targets.count) services (timeout \(timeout) s each) …") }
        async let engine = Deployment.engineProblem()
        let run = HealthCheckRun(prober: HealthProber(), timeout: .milliseconds(Int(timeout * 1000)))
        let outcomes = await run.run(targets)
        let healthy = outcomes.allSatisfy { $0.state == .up }
        let unwired = await WiringCheck(
            stack: Stack(settings: settings), root: common.rootURL,
            envURL: common.rootURL.appendingPathComponent(common.envFile ?? ".env")
        ).findings(timeout: .milliseconds(Int(timeout * 1000)))
        let problem = await engine
        if json {
            try Console.json(Report(healthy: healthy, engine: problem, services: outcomes, unwired: unwired))
        } else if let problem, !outcomes.contains(where: { $0.state == .up }) {
            // Without an engine no container runs: one sentence, not every service listed as down.
            Console.error("error: \(problem); so none of the \(outcomes.count) services can be up")
        } else {
            if let problem { Console.error("warning: \(problem); container probes fail for that reason") }
            let width = (outcomes.map(\.service.count).max() ?? 7) + 2
            Console.output(
                "SERVICE".padding(toLength: width, withPad: " ", startingAt: 0)
                    + "STATE DETAIL                  TIME   PROBE")
            for outcome in outcomes {
                let name = outcome.service.padding(toLength: width, withPad: " ", startingAt: 0)
                let state = outcome.state.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
                let detail = outcome.detail.padding(toLength: 24, withPad: " ", startingAt: 0)
                let time = "\(outcome.milliseconds)ms".padding(toLength: 7, withPad: " ", startingAt: 0)
                Console.output("\(name)\(state)\(detail)\(time)\(outcome.probe)")
            }
            let down = outcomes.filter { $0.state == .down }.map(\.service)
            Console.error(
                down.isEmpty
                    ? "all \(outcomes.count) services are up"
                    : "down: \(down.joined(separator: ", ")) — see `docker logs <name>` or `mediaserver ps`")
            for finding in unwired { Console.error(finding.description) }
        }
        if !healthy { throw ExitCode.failure }
    }
}
