import ArgumentParser
import MediaStackOperations

extension OperationFailure {
    /// Prints the failure on stderr; returns the exit code it calls for.
    func report() -> ExitCode {
        for line in lines { Console.error(line) }
        return kind == .findings ? .findings : .failure
    }
}

extension Deployment {
    /// ``Deployment/open(checkout:settingsPath:render:progress:)`` for `common`, with progress and failures on stderr.
    static func open(_ common: CommonOptions, render: Bool) async throws -> Deployment {
        do {
            return try await open(
                checkout: common.rootURL, settingsPath: common.envFile, render: render,
                progress: { Console.error($0) })
        } catch let failure as OperationFailure {
            throw failure.report()
        }
    }
}
