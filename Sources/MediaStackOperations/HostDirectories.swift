import Foundation
import MediaStack

#if canImport(Glibc)
    import Glibc
#endif

/// The host folders the enabled services mount, with the owner each needs, and their creation.
public struct HostDirectories: Sendable {
    public struct Entry: Sendable, Hashable, Codable {
        public let path: String
        public let uid: UInt32?
        public let gid: UInt32?
    }

    public let stack: Stack

    public init(stack: Stack) { self.stack = stack }

    /// Every config, data and backup folder the enabled services mount, plus the media tree's TRaSH layout.
    /// A folder under `${CONFIG_ROOT}/<service>` belongs to that service's user, whoever mounts it.
    public func entries() -> [Entry] {
        let settings = stack.settings
        let puid = settings.numericID(.puid)
        let pgid = settings.numericID(.pgid)
        let configRoot = settings[.configRoot]
        let dataRoot = settings[.dataRoot]
        let backupRoot = settings[.backupRoot]
        func owner(ofConfigSubpath sub: String) -> (uid: UInt32, gid: UInt32)? {
            let first = sub.split(separator: "/").first.map(String.init) ?? ""
            return stack.services.first { $0.name.rawValue == first }?.dataOwner(puid: puid, pgid: pgid)
        }
        var entries: [String: Entry] = [:]
        func add(_ path: String, _ owner: (uid: UInt32, gid: UInt32)?) {
            if entries[path] == nil { entries[path] = Entry(path: path, uid: owner?.uid, gid: owner?.gid) }
        }
        add(configRoot, nil)
        add(dataRoot, (puid, pgid))
        for sub in ["usenet/incomplete", "usenet/complete", "media/tv", "media/movies"] {
            add("\(dataRoot)/\(sub)", (puid, pgid))
        }
        for service in stack.services {
            for mount in service.mounts {
                switch mount.source {
                case .config(let sub):
                    let relative = sub.isEmpty ? service.name.rawValue : "\(service.name)/\(sub)"
                    add("\(configRoot)/\(relative)", owner(ofConfigSubpath: relative))
                case .configRoot(let sub):
                    add(sub.isEmpty ? configRoot : "\(configRoot)/\(sub)", owner(ofConfigSubpath: sub))
                case .data(let sub):
                    add(sub.isEmpty ? dataRoot : "\(dataRoot)/\(sub)", (puid, pgid))
                case .backupRepository:
                    add(backupRoot, nil)
                case .repository, .host, .volume:
                    continue
                }
            }
        }
        return entries.values.sorted { $0.path < $1.path }
    }

    /// Creates the missing folders (parents first) and gives each new one its owner. Existing folders are left as
    /// they are: `doctor` reports a wrong owner instead of changing a user's data. Returns the folders created.
    @discardableResult
    public func create() throws -> [Entry] {
        var created: [Entry] = []
        let canChown = geteuid() == 0
        for entry in entries() where !FileManager.default.fileExists(atPath: entry.path) {
            try FileManager.default.createDirectory(atPath: entry.path, withIntermediateDirectories: true)
            if canChown, let uid = entry.uid, let gid = entry.gid { _ = chown(entry.path, uid, gid) }
            created.append(entry)
        }
        return created
    }
}
