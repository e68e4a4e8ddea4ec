import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// The outcome of a finished process.
public struct ProcessOutput: Sendable, Hashable {
    public let arguments: [String]
    public let status: Int32
    public let standardOutput: String
    public let standardError: String

    public init(arguments: [String], status: Int32, standardOutput: String, standardError: String) {
        self.arguments = arguments
        self.status = status
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    public var succeeded: Bool { status == 0 }
}

/// A failure to run a process at all, or a timeout. A non-zero exit is not an error: callers read `status`.
public enum ProcessError: Error, CustomStringConvertible, Sendable {
    case notFound(String)
    case timedOut([String], seconds: Int)
    case failedToStart([String], String)

    public var description: String {
        switch self {
        case .notFound(let name): "\(name) is not installed or not on PATH"
        case .timedOut(let arguments, let seconds):
            "`\(arguments.joined(separator: " "))` did not finish within \(seconds) s and was stopped"
        case .failedToStart(let arguments, let reason):
            "could not start `\(arguments.joined(separator: " "))`: \(reason)"
        }
    }
}

/// Runs external programs. Injected so tests and commands share one seam.
public protocol ProcessRunning: Sendable {
    /// Runs `executable` with `arguments`; `environment` replaces the inherited one when given.
    func run(
        _ executable: String, _ arguments: [String], environment: [String: String]?, workingDirectory: String?,
        timeout: Int
    ) async throws -> ProcessOutput
}

extension ProcessRunning {
    public func run(_ executable: String, _ arguments: [String], timeout: Int = 120) async throws -> ProcessOutput {
        try await run(executable, arguments, environment: nil, workingDirectory: nil, timeout: timeout)
    }
}

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
