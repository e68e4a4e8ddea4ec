import Foundation
import MediaStack
import MediaStackChecks

/// Runs `docker compose config -q` on each stack alone and on both merged, and turns its complaints into findings.
public struct ComposeValidator: Sendable {
    public let cli: ComposeCLI
    public let runner: any ProcessRunning

    public init(cli: ComposeCLI, runner: any ProcessRunning) {
        self.cli = cli
        self.runner = runner
    }

    /// Validates the files in `root` with `envFile`, in a clean environment (the caller's shell variables would
    /// otherwise override the file, as Compose gives the environment precedence).
    public func validate(root: URL, envFile: String) async -> [Finding] {
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/tmp"]
        var findings: [Finding] = []
        for stacks in [[StackID.core], [.dashboard], [.core, .dashboard]] {
            let subject = stacks.map(\.composeFile).joined(separator: " + ")
            let arguments = ComposeCLI.fileArguments(stacks, envFile: envFile) + ["config", "-q"]
            do {
                let output = try await cli.run(arguments, in: root, environment: environment, runner: runner)
                findings += Self.findings(
                    from: output, subject: subject, command: cli.displayName, arguments: arguments)
            } catch {
                findings.append(
                    Finding(
                        .error, .composeFailed, subject: subject, message: "\(error)",
                        fix: "install Docker Compose v2 (the `docker compose` plugin or `docker-compose`)"))
            }
        }
        return findings
    }

    static func findings(from output: ProcessOutput, subject: String, command: String, arguments: [String])
        -> [Finding]
    {
        var findings: [Finding] = []
        let lines = output.standardError.split(separator: "\n").map(String.init)
        for line in lines where line.contains("level=warning") {
            let message = Self.message(of: line)
            findings.append(
                Finding(
                    .warning, .composeWarning, subject: subject, message: "docker compose: \(message)",
                    fix: message.contains("variable is not set")
                        ? "set the variable in your .env (see .env.example)" : "see the Compose documentation"))
        }
        if !output.succeeded {
            let text = lines.filter { !$0.contains("level=warning") }.joined(separator: " ").trimmingCharacters(
                in: .whitespaces)
            findings.append(
                Finding(
                    .error, .composeInvalid, subject: subject,
                    message: "`\(command) \(arguments.joined(separator: " "))` failed: \(text.prefix(500))",
                    fix: "correct the setting or catalog entry it names, then run `mediaserver render`"))
        }
        return findings
    }

    static func message(of line: String) -> String {
        guard let start = line.range(of: "msg=\"") else { return line }
        var message = String(line[start.upperBound...])
        if message.hasSuffix("\"") { message.removeLast() }
        return message.replacingOccurrences(of: "\\\"", with: "\"")
    }
}
