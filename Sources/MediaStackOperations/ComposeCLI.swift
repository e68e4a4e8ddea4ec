import Foundation
import MediaStack

/// The Docker Compose v2 command line: the `docker compose` plugin, or the standalone `docker-compose`.
public struct ComposeCLI: Sendable, Hashable {
    /// The program and the arguments before the compose subcommand (`docker compose` or `docker-compose`).
    public let prefix: [String]

    public init(prefix: [String]) { self.prefix = prefix }

    /// Finds a working Compose v2, preferring the plugin; nil when neither answers `version`.
    public static func detect(runner: any ProcessRunning) async -> ComposeCLI? {
        for candidate in [["docker", "compose"], ["docker-compose"]] {
            guard SubprocessRunner.locate(candidate[0]) != nil else { continue }
            let output = try? await runner.run(candidate[0], Array(candidate.dropFirst()) + ["version"], timeout: 30)
            if let output, output.succeeded,
                output.standardOutput.contains("v2") || output.standardOutput.contains("v5")
                    || output.standardOutput.contains("version")
            {
                return ComposeCLI(prefix: candidate)
            }
        }
        return nil
    }

    public var displayName: String { prefix.joined(separator: " ") }

    /// Runs `<compose> <arguments>` in `directory`.
    public func run(
        _ arguments: [String], in directory: URL, environment: [String: String]? = nil, runner: any ProcessRunning,
        timeout: Int = 120
    ) async throws -> ProcessOutput {
        try await runner.run(
            prefix[0], Array(prefix.dropFirst()) + arguments, environment: environment,
            workingDirectory: directory.path, timeout: timeout)
    }

    /// The arguments selecting one stack (or both merged) with an explicit settings file.
    public static func fileArguments(_ stacks: [StackID], envFile: String) -> [String] {
        var arguments = ["--env-file", envFile]
        if stacks.count == 1, let only = stacks.first { arguments = ["-p", only.projectName] + arguments }
        for stack in stacks { arguments += ["-f", stack.composeFile] }
        return arguments
    }
}
