import Foundation
import MediaStack
import MediaStackRendering

#if canImport(Glibc)
    import Glibc
#endif

/// Finds and reads the settings file of a checkout: `.env` when it exists, else `.env.example`.
public struct SettingsLoader: Sendable {
    public let root: URL
    /// The environment Compose would run in: a variable in a value is looked up there first, as Compose does.
    public let environment: [String: String]

    public init(root: URL, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.root = root
        self.environment = environment
    }

    /// The path used when none is given: `.env` (whatever it is: a broken link is reported, not skipped), or
    /// `.env.example` before `mediaserver init` ran.
    public func defaultPath() -> String {
        var status = stat()
        return lstat(root.appendingPathComponent(".env").path, &status) == 0 ? ".env" : Self.template
    }

    /// The template `render` writes: the catalog defaults, never edited by hand.
    public static let template = EnvExampleRenderer.path

    /// Reads and validates the settings; `path` is relative to the root unless absolute. The template is read as
    /// what it is, the render of the catalog defaults: a copy from before a catalog change (a new service's
    /// settings missing) never blocks the render that brings it up to date.
    ///
    /// Any other file is read only when it is a readable regular file (after symbolic links): a folder, a FIFO, a
    /// device such as /dev/null or an unreadable file is refused with the reason, never replaced by the defaults.
    public func load(_ path: String? = nil) throws(SettingsError) -> Settings {
        let relative = path ?? defaultPath()
        if relative == Self.template {
            return try Settings.parse(EnvExampleRenderer().render().contents, path: relative)
        }
        let url = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : root.appendingPathComponent(relative)
        func refuse(_ message: String, _ fix: String) -> SettingsError {
            SettingsError([SettingsIssue(file: relative, line: nil, key: nil, message: message, fix: fix)])
        }
        var status = stat()
        if stat(url.path, &status) != 0 {
            let reason = errno
            var link = stat()
            if reason == ENOENT && lstat(url.path, &link) == 0 {
                throw refuse(
                    "the settings file is a symbolic link to a file that does not exist",
                    "point the link at your settings file, or replace it with `mediaserver init`")
            }
            throw refuse(
                "the settings file cannot be read: \(String(cString: strerror(reason)))",
                reason == ENOENT
                    ? "create it with `mediaserver init`, or copy \(Self.template) to .env"
                    : "check the path and its folders' permissions")
        }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG else {
            let what: String
            switch kind {
            case S_IFDIR: what = "a folder"
            case S_IFIFO: what = "a FIFO (named pipe)"
            case S_IFCHR: what = "a character device (such as /dev/null)"
            case S_IFBLK: what = "a block device"
            case S_IFSOCK: what = "a socket"
            default: what = "not a regular file"
            }
            throw refuse(
                "the settings file is \(what), not a regular file",
                "replace it with a regular file: `mediaserver init` writes one, or copy .env.example")
        }
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno
            throw refuse(
                "the settings file cannot be read: \(String(cString: strerror(reason)))",
                reason == EACCES
                    ? "run as the user who owns it, or give it to that user: `sudo chown $(id -u):$(id -g) \(relative)`"
                        + " then `chmod 600 \(relative)`"
                    : "check the file")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw refuse("the settings file cannot be read: \(error.localizedDescription)", "check the file and disk")
        }
        return try Settings.parse(bytes: Array(data), path: relative, environment: environment)
    }
}
