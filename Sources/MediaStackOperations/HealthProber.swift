import Foundation
import MediaStack

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Probes HTTP targets with URLSession and container targets through `docker inspect`.
public final class HealthProber: HealthProbing, Sendable {
    private let session: URLSession
    private let runner: any ProcessRunning

    public init(runner: any ProcessRunning = SubprocessRunner()) {
        let configuration = URLSessionConfiguration.ephemeral
        // Every probe is its own request; the default of 6 per host would queue concurrent probes.
        configuration.httpMaximumConnectionsPerHost = 64
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        self.session = URLSession(configuration: configuration)
        self.runner = runner
    }

    public func probe(_ target: ProbeTarget, timeout: Duration) async -> ProbeOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        func outcome(_ state: ProbeOutcome.State, _ detail: String) -> ProbeOutcome {
            let elapsed = clock.now - start
            let milliseconds = Int(
                elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
            return ProbeOutcome(
                service: target.service.rawValue, state: state, probe: target.probeDescription, detail: detail,
                milliseconds: milliseconds)
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        switch target.method {
        case .http(let url, let expected):
            var request = URLRequest(url: url, timeoutInterval: seconds)
            request.httpMethod = "GET"
            switch await fetchStatus(request, within: seconds) {
            case .status(let status): return outcome(status == expected ? .up : .down, "HTTP \(status)")
            case .timedOut: return outcome(.down, "timed out after \(Self.format(seconds)) s")
            // URLSession's own idle timeout (the same number of seconds) can fire before the hard deadline: both
            // are the probe's timeout, and say so alike.
            case .failed(let error as URLError) where error.code == .timedOut:
                return outcome(.down, "timed out after \(Self.format(seconds)) s")
            case .failed(let error as URLError) where error.code == .cannotConnectToHost:
                return outcome(.down, "connection refused")
            case .failed(let error): return outcome(.down, error.localizedDescription)
            }
        case .container(let name, _):
            let format = "{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}"
            do {
                let output = try await runner.run(
                    "docker", ["inspect", "--format", format, name], environment: nil, workingDirectory: nil,
                    timeout: max(1, Int(seconds)))
                let state = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
                if !output.succeeded {
                    let reason =
                        output.standardError.contains("No such") ? "no such container" : "docker inspect failed"
                    return outcome(.down, reason)
                }
                // The format prints the health state, or for a container without a healthcheck (an outside-only
                // probe such as Watchtower's, which Blackbox makes on media_net) its run state: running is up.
                switch state {
                case "healthy": return outcome(.up, state)
                case "running": return outcome(.up, "running (no healthcheck; Blackbox probes it)")
                default: return outcome(.down, state.isEmpty ? "unknown" : state)
                }
            } catch {
                return outcome(.down, "\(error)")
            }
        }
    }
}

extension HealthProber {
    enum FetchResult {
        case status(Int)
        case timedOut
        case failed(any Error)
    }

    /// One GET with a hard deadline. URLSession's own timeout on Linux only bounds idle time between packets, so
    /// a server that trickles or stalls is cut off here, and the request is cancelled.
    func fetchStatus(_ request: URLRequest, within seconds: Double) async -> FetchResult {
        await withCheckedContinuation { (continuation: CheckedContinuation<FetchResult, Never>) in
            let once = ResumeOnce(continuation)
            let task = session.dataTask(with: request) { _, response, error in
                if let error {
                    once.resume(.failed(error))
                } else {
                    once.resume(.status((response as? HTTPURLResponse)?.statusCode ?? 0))
                }
            }
            task.resume()
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                if once.resume(.timedOut) { task.cancel() }
            }
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}

/// Resumes a continuation exactly once, whichever of the response and the deadline comes first.
final class ResumeOnce<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Value, Never>?

    init(_ continuation: CheckedContinuation<Value, Never>) { self.continuation = continuation }

    /// Resumes with `value` if nothing resumed yet; returns whether this call did.
    @discardableResult
    func resume(_ value: Value) -> Bool {
        lock.lock()
        let pending = continuation
        continuation = nil
        lock.unlock()
        pending?.resume(returning: value)
        return pending != nil
    }
}
