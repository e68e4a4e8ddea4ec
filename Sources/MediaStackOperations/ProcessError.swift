import Foundation

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
