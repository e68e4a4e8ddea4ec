import Foundation

/// Why a request got no answer.
public enum WiringTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    case timedOut(seconds: Double)
    case unreachable(String)
    case invalidURL(String)

    public var description: String {
        switch self {
        case .timedOut(let seconds): "no answer within \(HealthProber.format(seconds)) s"
        case .unreachable(let reason): reason
        case .invalidURL(let url): "\(url) is not a valid URL"
        }
    }
}
