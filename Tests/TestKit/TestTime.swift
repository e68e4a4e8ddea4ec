import Foundation

/// How long the tests let a process, a request or a server's start take before they give up on it, stated once.
///
/// Every value is a guard against a hang, never an assertion about speed (speed is shown by benchmarks): it is a base
/// sized for an idle machine times a generous factor, so a shared CI machine at load 20 to 50 stays well inside it.
/// The factor is `MEDIASERVER_TEST_TIME_FACTOR` when set (a positive number), else 5 under CI (`CI=true`), else 3.
public enum TestTime {
    /// The factor every base is multiplied by.
    public static let factor: Double = factor(in: ProcessInfo.processInfo.environment)

    /// The factor an environment gives: `MEDIASERVER_TEST_TIME_FACTOR`, else 5 under CI, else 3.
    public static func factor(in environment: [String: String]) -> Double {
        if let text = environment["MEDIASERVER_TEST_TIME_FACTOR"], let value = Double(text), value > 0 {
            return value
        }
        return environment["CI"] == "true" ? 5 : 3
    }

    /// `base` seconds scaled by the factor, whole seconds (a process guard), at least `base`.
    public static func seconds(_ base: Int) -> Int {
        max(base, Int((Double(base) * factor).rounded(.up)))
    }

    /// `base` scaled by the factor.
    public static func duration(_ base: Duration) -> Duration {
        base * max(1, factor)
    }

    /// A short tool run: a hash, `caddy validate`, a curl, a command that fails early (120 s on an idle machine).
    public static var process: Int { seconds(120) }
    /// A long run: a `mediaserver` command, borg or borgmatic over the test data (600 s on an idle machine).
    public static var longProcess: Int { seconds(600) }
    /// One HTTP request to a server on loopback (10 s on an idle machine).
    public static var request: Duration { duration(.seconds(10)) }
    /// A server started by a test until it answers or reports ready (20 s on an idle machine).
    public static var startup: Duration { duration(.seconds(20)) }

    /// How many polls `every` apart fill `within` (the server start guard by default).
    public static func polls(every interval: Duration, within: Duration = startup) -> Int {
        max(1, Int((within / interval).rounded(.up)))
    }

    /// `duration` in whole seconds, rounded up (for a command-line option such as curl's `--max-time`).
    public static func wholeSeconds(_ duration: Duration) -> Int {
        Int((Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18).rounded(.up))
    }
}
