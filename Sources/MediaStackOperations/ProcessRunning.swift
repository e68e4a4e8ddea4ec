import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

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
