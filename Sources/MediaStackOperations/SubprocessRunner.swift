import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs programs with swift-subprocess: output capped at 4 MiB per stream, a timeout per call.
public struct SubprocessRunner: ProcessRunning {
    /// Seconds a stopped tool's process group gets after SIGTERM before SIGKILL; nil: the tool alone gets SIGKILL.
    ///
    /// With a grace period each tool runs in a process group of its own, and a cancelled or timed-out run sends
    /// SIGTERM to that whole group, so a wrapper's children (borgmatic's borg) stop too and release their locks.
    public let stopGracePeriod: Int?

    public init(stopGracePeriod: Int? = nil) { self.stopGracePeriod = stopGracePeriod }

    public func run(
        _ executable: String, _ arguments: [String], environment: [String: String]?, workingDirectory: String?,
        timeout: Int
    ) async throws -> ProcessOutput {
        guard let path = Self.locate(executable, in: environment) else { throw ProcessError.notFound(executable) }
        let env: Subprocess.Environment =
            if let environment {
                .custom(
                    Dictionary(
                        uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
            } else {
                .inherit
            }
        var options = PlatformOptions()
        if let stopGracePeriod {
            options.processGroupID = 0
            options.teardownSequence = [
                .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(stopGracePeriod))
            ]
        }
        let platformOptions = options
        let all = [executable] + arguments
        return try await withThrowingTaskGroup(of: ProcessOutput?.self) { group in
            group.addTask {
                let result = try await Subprocess.run(
                    .path(FilePath(path)), arguments: Arguments(arguments), environment: env,
                    workingDirectory: workingDirectory.map { FilePath($0) }, platformOptions: platformOptions,
                    output: .string(limit: 4 << 20), error: .string(limit: 4 << 20))
                let status: Int32 =
                    switch result.terminationStatus {
                    case .exited(let code): code
                    case .signaled(let signal): 128 + signal
                    }
                return ProcessOutput(
                    arguments: all, status: status, standardOutput: result.standardOutput,
                    standardError: result.standardError)
            }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return nil
            }
            // The first child to finish decides: the process result, or nil for the timer (cancelling the run).
            guard let first = try await group.next(), let output = first else {
                group.cancelAll()
                throw ProcessError.timedOut(all, seconds: timeout)
            }
            group.cancelAll()
            return output
        }
    }

    /// The absolute path of `executable`, searching PATH (from `environment` when given).
    public static func locate(_ executable: String, in environment: [String: String]? = nil) -> String? {
        if executable.contains("/") {
            return FileManager.default.isExecutableFile(atPath: executable) ? executable : nil
        }
        let path = environment?["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
