import Foundation

/// Requests to stop an upgrade (SIGINT, SIGTERM, SIGHUP), made from a signal handler and read by ``UpgradeRun``.
///
/// The first request stops the run at the next safe point: the step in progress (a pull, a stop, a copy, a
/// recreate, a health wait) is cancelled and the service is put back as a failed health check puts it back. A
/// request made while a rollback is under way does not cut the rollback short (a half-moved config folder or a
/// half-written `.env` is worse than waiting): it only skips the last wait, for the health of the previous image.
public final class UpgradeStop: @unchecked Sendable {
    private let lock = NSLock()
    private var signals: [Int32] = []

    public init() {}

    /// Records a request; `signal` is the signal number that made it.
    public func request(_ signal: Int32) {
        lock.withLock { signals.append(signal) }
    }

    /// The signal of the first request, or nil while none was made.
    public var signal: Int32? { lock.withLock { signals.first } }

    /// How many requests were made so far.
    public var count: Int { lock.withLock { signals.count } }

    /// Returns once more than `seen` requests were made; throws `CancellationError` when the task is cancelled.
    func wait(beyond seen: Int = 0) async throws {
        while count <= seen {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Runs `body` until it finishes or more than `seen` requests are made, whichever comes first. Returns the
    /// body's value, or nil when a request came first; the body is then cancelled and awaited (a cancelled tool
    /// is stopped by the runner), so nothing of it runs on once this returns.
    func race<T: Sendable>(beyond seen: Int = 0, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        if count > seen { return nil }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await self.wait(beyond: seen)
                return nil
            }
            defer { group.cancelAll() }
            // The first child to finish decides; the other is cancelled and awaited when the group ends.
            guard let first = try await group.next() else { return nil }
            return first
        }
    }
}
