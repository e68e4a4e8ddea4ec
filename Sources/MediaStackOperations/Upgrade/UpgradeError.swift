import Foundation
import MediaStack

/// Why `mediaserver upgrade` changed nothing, or stopped; each case says what to do next.
public enum UpgradeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A name on the command line that is no service of the catalog.
    case unknownService(String)
    /// A catalog service that `DISABLED_SERVICES` leaves out.
    case disabledService(String)
    /// `--to` names a tag the image's publisher would not use for a release.
    case notAReleaseTag(service: String, tag: String, scheme: String)
    /// `--to` names the tag the service already runs.
    case alreadyAt(service: String, tag: String)
    /// `--to` names a tag the registry does not list as newer than the running one.
    case notPublished(service: String, image: String, tag: String, newer: [String])
    /// The registry could not be asked which tags exist.
    case registry(service: String, image: String, reason: String)
    /// The config folders to copy need more space than their file system has free.
    case diskFull(path: String, neededBytes: UInt64, freeBytes: UInt64)
    /// The backup before the upgrade failed.
    case backupFailed(String)
    /// `docker pull` of a new image failed.
    case pullFailed(reference: String, reason: String)
    /// Copying a config folder before the upgrade failed.
    case snapshotFailed(path: String, reason: String)
    /// `.env` or the render of it could not be written.
    case settingsWriteFailed(String)
    /// SIGINT or SIGTERM (`signal`) came before any service was changed, during `phase`.
    case interrupted(signal: Int32, phase: String)

    public var description: String {
        switch self {
        case .unknownService(let name):
            return "'\(name)' is not a service of the stack; `mediaserver services` lists them"
        case .disabledService(let name):
            return "'\(name)' is disabled in DISABLED_SERVICES; enable it first or leave it out"
        case .notAReleaseTag(let service, let tag, let scheme):
            return "\(tag) is not a release tag of \(service)'s image (its publisher tags releases \(scheme));"
                + " `mediaserver upgrade --check \(service)` lists the tags it can take"
        case .alreadyAt(let service, let tag):
            return "\(service) already runs \(tag); nothing to do"
        case .notPublished(let service, let image, let tag, let newer):
            let listed =
                newer.isEmpty ? "it lists none newer" : "newer ones: \(newer.suffix(5).joined(separator: ", "))"
            return "\(image) has no tag \(tag) newer than what \(service) runs (\(listed)); a downgrade is a restore"
                + " of a backup (docs/restore.md), not an upgrade"
        case .registry(let service, let image, let reason):
            return "cannot ask the registry of \(service) (\(image)) for its tags: \(reason); nothing was changed"
        case .diskFull(let path, let needed, let free):
            return "\(path) has \(Self.megabytes(free)) free, but the copy of a config folder taken before the"
                + " upgrade needs \(Self.megabytes(needed)); free some space and run the upgrade again; nothing was"
                + " changed"
        case .backupFailed(let reason):
            return "the backup before the upgrade failed, so nothing was upgraded: \(reason)"
        case .pullFailed(let reference, let reason):
            return "`docker pull \(reference)` failed: \(reason); no service was changed"
        case .snapshotFailed(let path, let reason):
            return "could not copy \(path) before the upgrade: \(reason); the service runs its previous image again"
        case .settingsWriteFailed(let reason):
            return "could not write the settings or their render: \(reason)"
        case .interrupted(let signal, let phase):
            return "\(Self.signalName(signal)) during \(phase): stopped there; no service was changed"
        }
    }

    /// Whether the error is a usage error (exit 64) rather than a failure (exit 1).
    public var isUsage: Bool {
        switch self {
        case .unknownService, .disabledService, .notAReleaseTag, .alreadyAt: true
        default: false
        }
    }

    /// `SIGHUP`, `SIGINT`, `SIGTERM`, or `signal <n>`.
    public static func signalName(_ signal: Int32) -> String {
        switch signal {
        case 1: "SIGHUP"
        case 2: "SIGINT"
        case 15: "SIGTERM"
        default: "signal \(signal)"
        }
    }

    static func megabytes(_ bytes: UInt64) -> String {
        bytes >= 10 << 30 ? "\(bytes >> 30) GiB" : "\(max(1, (bytes + (1 << 20) - 1) >> 20)) MiB"
    }
}
