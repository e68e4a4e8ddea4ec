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
            if let output, output.succeeded, let major = majorVersion(output.standardOutput), major >= 2 {
                return ComposeCLI(prefix: candidate)
            }
        }
        return nil
    }

    /// The major version in `version` output: `Docker Compose version v2.29.1` → 2, `v5.6.1` → 5, Compose v1's
    /// `docker-compose version 1.29.2, build 5becea4c` → 1 (v1 reads files differently and is refused).
    static func majorVersion(_ output: String) -> Int? {
        guard let range = output.range(of: "version ") else { return nil }
        var rest = output[range.upperBound...]
        if rest.first == "v" { rest = rest.dropFirst() }
        return Int(rest.prefix { $0.isNumber })
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
