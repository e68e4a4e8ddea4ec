import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads facts about the host that `init` and `doctor` need. Every read is local; nothing goes on the network.
public struct HostFacts: Sendable {
    public let runner: any ProcessRunning
    /// Where `/etc`, `/proc` and `/dev` are looked up; tests point it elsewhere.
    public let fileSystemRoot: String

    public init(runner: any ProcessRunning = SubprocessRunner(), fileSystemRoot: String = "") {
        self.runner = runner
        self.fileSystemRoot = fileSystemRoot
    }

    /// The invoking user's ids; under sudo, the caller's (`SUDO_UID`/`SUDO_GID`), not root's.
    public func invokingUser(environment: [String: String] = ProcessInfo.processInfo.environment) -> (
        uid: UInt32, gid: UInt32
    ) {
        if let uid = environment["SUDO_UID"].flatMap(UInt32.init),
            let gid = environment["SUDO_GID"].flatMap(UInt32.init)
        {
            return (uid, gid)
        }
        return (getuid(), getgid())
    }

    /// The host's IANA time zone: `/etc/timezone`, else the `/etc/localtime` link target, else nil.
    public func timeZone() -> String? {
        if let text = try? String(contentsOfFile: fileSystemRoot + "/etc/timezone", encoding: .utf8) {
            let zone = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !zone.isEmpty { return zone }
        }
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: fileSystemRoot + "/etc/localtime"),
            let range = target.range(of: "zoneinfo/")
        {
            return String(target[range.upperBound...])
        }
        return nil
    }

    /// The address the host uses towards its LAN: the source address of the default route (a routing-table
    /// lookup; no packet is sent), or nil.
    public func lanAddress() async -> String? {
        guard let output = try? await runner.run("ip", ["-4", "route", "get", "192.0.2.1"], timeout: 5),
            output.succeeded
        else { return nil }
        let words = output.standardOutput.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let index = words.firstIndex(of: "src"), index + 1 < words.count else { return nil }
        let address = String(words[index + 1])
        return address.hasPrefix("127.") ? nil : address
    }

    /// The group owning the first render node under /dev/dri, else the `render` group from /etc/group.
    public func renderGroupID() -> UInt32? {
        let dri = fileSystemRoot + "/dev/dri"
        if let nodes = try? FileManager.default.contentsOfDirectory(atPath: dri).sorted(),
            let node = nodes.first(where: { $0.hasPrefix("renderD") }),
            let gid = (try? FileManager.default.attributesOfItem(atPath: "\(dri)/\(node)"))?[.groupOwnerAccountID]
                as? NSNumber
        {
            return gid.uint32Value
        }
        return groupID(named: "render")
    }

    /// The id of a group named in /etc/group.
    public func groupID(named name: String) -> UInt32? {
        guard let text = try? String(contentsOfFile: fileSystemRoot + "/etc/group", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count > 2, fields[0] == name { return UInt32(fields[2]) }
        }
        return nil
    }

    /// Whether a user id exists in the password database.
    public func userExists(_ uid: UInt32) -> Bool { getpwuid(uid) != nil }

    /// Whether a group id exists in the group database.
    public func groupExists(_ gid: UInt32) -> Bool { getgrgid(gid) != nil }

    /// The mount (point, filesystem type) holding `path`, from /proc/mounts.
    public func mount(containing path: String) -> (point: String, type: String)? {
        guard let text = try? String(contentsOfFile: fileSystemRoot + "/proc/mounts", encoding: .utf8) else {
            return nil
        }
        var best: (String, String)?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 2 else { continue }
            let point = String(fields[1]).replacingOccurrences(of: "\\040", with: " ")
            let inside = point == "/" || path == point || path.hasPrefix(point + "/")
            if inside, point.count >= (best?.0.count ?? 0) { best = (point, String(fields[2])) }
        }
        return best
    }

    /// Free and total bytes of the filesystem holding `path`.
    public func space(of path: String) -> (free: UInt64, total: UInt64)? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let block = UInt64(info.f_frsize)
        return (UInt64(info.f_bavail) * block, UInt64(info.f_blocks) * block)
    }

    /// The device id of the filesystem holding `path`.
    public func device(of path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_dev)
    }

    /// Owner uid and gid of `path`.
    public func owner(of path: String) -> (uid: UInt32, gid: UInt32)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (info.st_uid, info.st_gid)
    }

    /// What a bind of `port` at `address` says.
    public enum PortState: Sendable, Hashable {
        case free
        /// Another program listens there (EADDRINUSE, or any other refusal).
        case inUse
        /// The address belongs to no interface of this host (EADDRNOTAVAIL): nothing can listen there at all.
        case addressNotOnHost
    }

    /// Whether nothing listens on `port` at `address`: tries to bind it (and releases it at once).
    public func isPortFree(_ port: Int, address: String, udp: Bool = false) -> Bool {
        portState(port, address: address, udp: udp) == .free
    }

    /// Tries to bind `port` at `address` (and releases it at once), telling a taken port from a foreign address.
    public func portState(_ port: Int, address: String, udp: Bool = false) -> PortState {
        let socketFD = socket(AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return .free }
        defer { close(socketFD) }
        var address4 = sockaddr_in()
        address4.sin_family = sa_family_t(AF_INET)
        address4.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, address, &address4.sin_addr) == 1 else { return .free }
        let result = withUnsafePointer(to: &address4) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result == 0 { return .free }
        return errno == EADDRNOTAVAIL ? .addressNotOnHost : .inUse
    }
}
