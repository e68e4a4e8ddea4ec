import Foundation

/// A folder of its own for one borgmatic run on this host, removed when the run ends.
///
/// borgmatic 2.1.10 puts each run's runtime directory (the bootstrap manifest, database dump pipes) in a new
/// `borgmatic-<random>` folder under one base: the `user_runtime_directory` option, else `XDG_RUNTIME_DIR`, else
/// the first path of `RUNTIME_DIRECTORY`, else `TMPDIR`, `TEMP` or `/tmp` (borgmatic/config/paths.py,
/// `Runtime_directory`). Before and after a create it removes the dumps and the bootstrap manifest of every
/// `<base>/borgmatic-*/borgmatic/…`, not only its own (borgmatic/actions/dump.py, `Dump_cleanup`, which calls
/// borgmatic/hooks/data_source/bootstrap.py `remove_data_source_dumps` with the glob of
/// paths.py `replace_temporary_subdirectory_with_glob`). Two runs with one base therefore delete each other's
/// manifest, and the run that loses it fails with `…/borgmatic/bootstrap: [Errno 2] No such file or directory`.
///
/// Set as `XDG_RUNTIME_DIR`, this folder becomes the base of one run alone. It is made where borgmatic would have
/// made its own folder (same base, mode 0700), and its name must not start with `borgmatic-`: the glob turns every
/// such path component into `borgmatic-*`, which would match the folders of other runs again.
/// A `user_runtime_directory` in the configuration takes precedence over the variable; the rendered one sets none.
struct BorgmaticRuntimeDirectory: Sendable {
    /// The variable borgmatic reads first after its configuration.
    static let variable = "XDG_RUNTIME_DIR"
    /// The name of every such folder: `<prefix>XXXXXX`.
    static let prefix = "mediaserver-borgmatic."

    let path: String

    /// The base borgmatic itself would choose from `environment`.
    static func base(in environment: [String: String]) -> String {
        let runtime = [
            environment[variable], environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first.map(String.init),
        ]
        if let absolute = runtime.compactMap({ $0 }).first(where: { !$0.isEmpty }), absolute.hasPrefix("/") {
            return absolute
        }
        let temporary = [environment["TMPDIR"], environment["TEMP"]].compactMap { $0 }.first { !$0.isEmpty }
        return temporary.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
    }

    /// Makes a new folder in the base of `environment`.
    init(environment: [String: String]) throws(BackupError) {
        let base = Self.base(in: environment)
        var template = Array((base + "/" + Self.prefix + "XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let made else {
            throw BackupError(
                step: "preparing borgmatic's runtime directory", cause: .other,
                message: "cannot make a folder in \(base): \(String(cString: strerror(errno)))",
                fix: "make \(base) writable for this user, or point TMPDIR at a folder that is")
        }
        path = made
    }

    /// `environment` with this folder as borgmatic's runtime base.
    func applied(to environment: [String: String]) -> [String: String] {
        environment.merging([Self.variable: path]) { $1 }
    }

    /// Removes the folder and whatever a stopped borgmatic left in it.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
