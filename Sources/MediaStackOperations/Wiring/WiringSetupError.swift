import Foundation
import MediaStack

/// A problem found before any app is called.
public enum WiringSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadableOwnership(String)
    case unknownURLTarget(String)
    case invalidURL(String)

    public var description: String {
        switch self {
        case .unreadableOwnership(let path):
            "\(path) is not the JSON `mediaserver wire` writes; fix: move it away (the next run treats every"
                + " existing object as made by hand and creates only what is missing)"
        case .unknownURLTarget(let name):
            "--url names '\(name)', which is not an app `mediaserver wire` connects; fix: use one of "
                + WiringTargets.wiredApps.map(\.rawValue).joined(separator: ", ")
        case .invalidURL(let text):
            "--url \(text) is not NAME=http://host:port; fix: e.g. --url sonarr=http://192.168.1.10:8989"
        }
    }
}
