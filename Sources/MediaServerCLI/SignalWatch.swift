import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Signals that ask a command to stop, turned into calls of a handler while its work runs instead of the end of the
/// process; `backup`, `offsite` (`Interruption`) and `upgrade` (`UpgradeSignals`) each decide what a stop means.
///
/// Each signal is ignored first, so its default action cannot end the process before the Dispatch source sees it;
/// afterwards the sources are cancelled and the default actions restored.
enum SignalWatch {
    /// Ctrl-C (SIGINT), `kill`, `docker stop` and systemd (SIGTERM), and the terminal or SSH session closing
    /// (SIGHUP).
    static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Runs `body`; each of `signals` that arrives meanwhile calls `handler` with its number (on a global queue).
    static func during<T, Failure: Error>(
        _ signals: [Int32] = stopSignals, handler: @escaping @Sendable (Int32) -> Void,
        _ body: () async throws(Failure) -> T
    ) async throws(Failure) -> T {
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            sources.append(source)
        }
        defer {
            for source in sources { source.cancel() }
            for number in signals { signal(number, SIG_DFL) }
        }
        return try await body()
    }

    /// How a command says which signal stopped it: "interrupted" (SIGINT), "hung up" (SIGHUP), "terminated".
    static func verb(_ number: Int32) -> String {
        switch number {
        case SIGINT: "interrupted"
        case SIGHUP: "hung up"
        default: "terminated"
        }
    }
}
