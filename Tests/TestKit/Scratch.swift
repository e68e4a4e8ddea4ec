import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The scratch folders of a test process, all inside one run folder under the temporary folder,
/// `mediaserver-test-run.<pid>.<start time>`, which names its owner.
///
/// The run folder is made at first use, after the run folders of processes that are gone (a run that was killed or
/// crashed) are removed, and it is removed when the test process exits. The start time (field 22 of
/// /proc/PID/stat) tells a live owner from a later process that got the same pid.
public enum Scratch {
    /// The name every run folder starts with.
    public static let prefix = "mediaserver-test-run."

    /// This process's run folder, made (and the stale ones swept) at first use; removed at exit.
    public static let runFolder: URL = {
        let temporary = FileManager.default.temporaryDirectory
        sweep(in: temporary)
        let pid = getpid()
        let folder = temporary.appendingPathComponent("\(prefix)\(pid).\(startTime(of: pid) ?? "0")")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        atexit { Scratch.remove(Scratch.runFolder) }
        return folder
    }()

    /// A new empty folder `<name>-<random>` in the run folder.
    public static func folder(_ name: String) throws -> URL {
        let url = runFolder.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Removes the run folders in `directory` whose owner is gone; returns them.
    @discardableResult
    public static func sweep(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let stale = names.filter { name in
            guard name.hasPrefix(prefix) else { return false }
            let parts = name.dropFirst(prefix.count).split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, let pid = Int32(parts[0]) else { return false }
            return startTime(of: pid) != String(parts[1])
        }
        let urls = stale.map { directory.appendingPathComponent($0) }
        for url in urls { remove(url) }
        return urls
    }

    /// The start time of process `pid` in clock ticks since boot (field 22 of /proc/PID/stat), nil when there is
    /// no such process. A zombie counts as gone.
    public static func startTime(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm) ": field 3 (state) is the first, so field 22 is the twentieth.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, fields[0] != "Z" else { return nil }
        return String(fields[19])
    }

    /// Removes `url` and everything in it, folders a test made read-only included.
    public static func remove(_ url: URL) {
        if (try? FileManager.default.removeItem(at: url)) != nil { return }
        let enumerator = FileManager.default.enumerator(atPath: url.path)
        chmod(url.path, 0o700)
        while let path = enumerator?.nextObject() as? String {
            let item = url.appendingPathComponent(path).path
            var info = stat()
            if lstat(item, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { chmod(item, 0o700) }
        }
        try? FileManager.default.removeItem(at: url)
    }
}
