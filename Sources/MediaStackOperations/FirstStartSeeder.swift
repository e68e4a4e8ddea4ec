import Foundation
import MediaStack
import Yams

#if canImport(Glibc)
    import Glibc
#endif

/// Writes the keys of `FirstStartSeed` into the apps' configuration files, before the apps start.
///
/// Our keys go in, the user's stay: a key is written only where the file lacks it or leaves it empty; a value the
/// file already has wins and is reported (never printed when it is a secret). Every file is read and merged first;
/// nothing is written unless all of them can be; each is replaced atomically, keeping an existing file's mode and
/// owner. A new file is created with mode 0600 (it holds a key), owned by the app's user.
public struct FirstStartSeeder: Sendable {
    /// What happened to one key.
    public struct Note: Hashable, Sendable, Encodable {
        public enum Outcome: String, Hashable, Sendable, Encodable {
            /// We wrote it.
            case added
            /// The file has its own value, which differs from ours and wins.
            case kept
            /// `.env` does not set the key yet; the app makes its own.
            case skipped
        }

        public let key: String
        public let outcome: Outcome
        /// For `kept` and `skipped`: what it means and what to do. Never a secret.
        public let detail: String?
        /// Whether the key is one of `.env`'s secrets: a kept one that differs breaks the apps that use `.env`'s.
        public var isSecret = false
    }

    /// The merge of one file: the new text (nil when nothing changes) and a note per key that is not already ours.
    public struct Plan: Sendable {
        public let service: ServiceName
        /// The file on the host.
        public let path: String
        public let exists: Bool
        public let contents: String?
        public let notes: [Note]
        let owner: (uid: UInt32, gid: UInt32)?

        /// Whether the file is written.
        public var changes: Bool { contents != nil }
    }

    public let stack: Stack
    public let seeds: [FirstStartSeed]
    /// PBKDF2 rounds of a new password digest (`FirstStartSeed.Value.passwordDigest`).
    public var passwordRounds = TautulliPasswordDigest.defaultRounds

    public init(stack: Stack, hostName: String? = FirstStartSeeder.currentHostName()) {
        self.stack = stack
        self.seeds = FirstStartSeed.all(for: stack, hostName: hostName)
    }

    public init(stack: Stack, seeds: [FirstStartSeed]) {
        self.stack = stack
        self.seeds = seeds
    }

    /// This machine's host name, as users type it in a browser.
    public static func currentHostName() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return nil }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? nil : name
    }

    /// Reads every file and merges our keys in memory; throws on the first file the app could not read either.
    public func plan() throws(SeedError) -> [Plan] {
        var plans: [Plan] = []
        for seed in seeds {
            guard let service = stack.service(seed.service), let path = hostPath(of: seed.containerPath, in: service)
            else { continue }
            let existing = try read(path)
            var notes: [Note] = []
            let merged: String?
            switch seed.format {
            case .configObj: merged = try mergeConfigObj(seed, existing ?? "", path: path, notes: &notes)
            case .yaml: merged = try mergeYAML(seed, existing ?? "", path: path, notes: &notes)
            case .xml(let root): merged = try mergeXML(seed, root: root, existing ?? "", path: path, notes: &notes)
            }
            plans.append(
                Plan(
                    service: seed.service, path: path, exists: existing != nil,
                    contents: merged == existing ? nil : merged, notes: notes,
                    owner: service.dataOwner(
                        puid: stack.settings.numericID(.puid), pgid: stack.settings.numericID(.pgid))))
        }
        return plans
    }

    /// Plans, then writes; returns the plans for `report`.
    @discardableResult
    public func seed() throws(SeedError) -> [Plan] {
        let plans = try plan()
        try apply(plans)
        return plans
    }

    /// Writes every changed file: all temporary files first, then the renames, so a file that cannot be written
    /// (a full disk, a read-only folder) stops the run before any file is replaced.
    public func apply(_ plans: [Plan]) throws(SeedError) {
        var staged: [(temporary: String, plan: Plan)] = []
        defer { for (temporary, _) in staged { unlink(temporary) } }
        for plan in plans {
            guard let contents = plan.contents else { continue }
            staged.append((try stage(contents, for: plan), plan))
        }
        for (temporary, plan) in staged where rename(temporary, plan.path) != 0 {
            throw SeedError(
                file: plan.path, message: "cannot be replaced: \(String(cString: strerror(errno)))",
                fix: "make its folder writable for this user (or run with sudo), then run the command again")
        }
        staged = []
    }

    /// One line per changed or noteworthy file, for the terminal. Never a secret value. A file left unchanged only
    /// repeats a kept key that differs from `.env`'s (it breaks the apps using `.env`'s until fixed), so a second
    /// run is quiet.
    public static func report(_ plans: [Plan]) -> [String] {
        plans.compactMap { plan in
            let added = plan.notes.filter { $0.outcome == .added }.map(\.key)
            let others = plan.notes.filter { $0.outcome != .added && (plan.changes || $0.isSecret) }
            guard !added.isEmpty || !others.isEmpty else { return nil }
            var lines: [String] = []
            if !added.isEmpty {
                lines.append(
                    "\(plan.exists ? "added to" : "wrote") \(plan.path): \(added.joined(separator: ", "))")
            } else {
                lines.append("\(plan.path): nothing added")
            }
            for note in others {
                lines.append("  \(note.outcome == .kept ? "kept" : "left out") \(note.key): \(note.detail ?? "")")
            }
            return lines.joined(separator: "\n")
        }
    }

    // MARK: - Reading and writing

    /// The host path of `containerPath`, through the service's config mount that contains it.
    func hostPath(of containerPath: String, in service: Service) -> String? {
        let configRoot = stack.settings[.configRoot]
        for mount in service.mounts where containerPath.hasPrefix(mount.target + "/") {
            let rest = String(containerPath.dropFirst(mount.target.count))
            switch mount.source {
            case .config(let sub):
                return "\(configRoot)/\(service.name)\(sub.isEmpty ? "" : "/\(sub)")\(rest)"
            case .configRoot(let sub):
                return "\(configRoot)\(sub.isEmpty ? "" : "/\(sub)")\(rest)"
            default:
                continue
            }
        }
        return nil
    }

    /// The file's text, nil when it does not exist; an error for anything the app could not read either.
    func read(_ path: String) throws(SeedError) -> String? {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT { return nil }
            throw SeedError(
                file: path, message: "cannot be examined: \(String(cString: strerror(errno)))",
                fix: "make its folder readable for this user (or run with sudo)")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw SeedError(
                file: path, message: "is not a regular file",
                fix: "move it away; the app keeps its configuration in a plain file at this path")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SeedError(
                file: path, message: "cannot be read", fix: "make it readable for this user (or run with sudo)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SeedError(
                file: path, message: "is not UTF-8 text", fix: "the app writes UTF-8; restore it from a backup")
        }
        return text
    }

    /// Writes `contents` to a new temporary file beside the target, with the target's mode and owner (or 0600 and
    /// the app's user for a new file); returns its path.
    func stage(_ contents: String, for plan: Plan) throws(SeedError) -> String {
        let folder = (plan.path as NSString).deletingLastPathComponent
        try makeFolder(folder, owner: plan.owner, path: plan.path)
        var mode: mode_t = 0o600
        var owner = plan.owner
        var status = stat()
        if stat(plan.path, &status) == 0 {
            mode = status.st_mode & 0o7777
            owner = (status.st_uid, status.st_gid)
        }
        let temporary = "\(folder)/.\((plan.path as NSString).lastPathComponent).\(UUID().uuidString).tmp"
        // Created with its final mode: the key is never readable by others, not even for a moment.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw SeedError(
                file: plan.path, message: "cannot be written: \(String(cString: strerror(errno)))",
                fix: "make \(folder) writable for this user (or run with sudo)")
        }
        defer { close(descriptor) }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else {
                unlink(temporary)
                throw SeedError(
                    file: plan.path, message: "cannot be written: \(String(cString: strerror(errno)))",
                    fix: "free space on that disk, then run the command again")
            }
            written += count
        }
        _ = fchmod(descriptor, mode)
        if geteuid() == 0, let owner { _ = fchown(descriptor, owner.uid, owner.gid) }
        _ = fsync(descriptor)
        return temporary
    }

    /// Creates the missing folders above a file, each owned by the app's user.
    func makeFolder(_ folder: String, owner: (uid: UInt32, gid: UInt32)?, path: String) throws(SeedError) {
        var missing: [String] = []
        var current = folder
        while !current.isEmpty, current != "/", !FileManager.default.fileExists(atPath: current) {
            missing.insert(current, at: 0)
            current = (current as NSString).deletingLastPathComponent
        }
        for folder in missing {
            guard mkdir(folder, 0o755) == 0 || errno == EEXIST else {
                throw SeedError(
                    file: path, message: "cannot create \(folder): \(String(cString: strerror(errno)))",
                    fix: "create it, owned by the app's user, or run with sudo")
            }
            if geteuid() == 0, let owner { _ = chown(folder, owner.uid, owner.gid) }
        }
    }

    // MARK: - Merging

    /// The value `entry` asks for, and the `.env` key it comes from; nil when that key is not set.
    func desired(_ entry: FirstStartSeed.Entry) -> (value: FirstStartSeed.Value, secret: String?)? {
        switch entry.value {
        case .passwordDigest(let key):
            guard let password = secretValue(key) else { return nil }
            return (.text(TautulliPasswordDigest(password: password, rounds: passwordRounds).text), key)
        case .setting(let key):
            guard let value = secretValue(key) else { return nil }
            return (.text(value), key)
        default:
            return (entry.value, nil)
        }
    }

    /// The value of the `.env` secret `key`; nil while it is empty or its placeholder.
    func secretValue(_ key: String) -> String? {
        let value = stack.settings[key] ?? ""
        let placeholder = stack.settings.definitions.first { $0.key == key }.flatMap { definition -> String? in
            if case .secret(let placeholder) = definition.kind { return placeholder }
            return nil
        }
        guard !value.isEmpty, value != placeholder else { return nil }
        return value
    }

    /// The note for a key we would write but `.env` does not set (said only while the file lacks it too).
    func skippedNote(_ entry: FirstStartSeed.Entry) -> Note {
        if case .passwordDigest(let key) = entry.value {
            return Note(
                key: entry.name, outcome: .skipped,
                detail: "\(key) is not set in .env, so the app has no login; run `mediaserver init --force` (it keeps"
                    + " every value and generates the missing secrets), then `mediaserver up` while the app is stopped",
                isSecret: true)
        }
        let key = if case .setting(let key) = entry.value { key } else { entry.name }
        return Note(
            key: entry.name, outcome: .skipped,
            detail: "\(key) is not set in .env, so the app makes its own key; run `mediaserver init` on a new"
                + " install, or copy the app's key into .env",
            isSecret: true)
    }

    /// The note for a key the file already sets to something else than ours.
    func keptNote(_ entry: FirstStartSeed.Entry, theirs: String, secret: String?, ours: String, path: String) -> Note {
        if let secret {
            return Note(
                key: entry.name, outcome: .kept,
                detail: "the file's key differs from \(secret) in .env, which Homepage and the other apps use; set"
                    + " \(secret) in .env to the file's value, or delete that line from"
                    + " \((path as NSString).lastPathComponent) while the app is stopped and run `mediaserver up`"
                    + " again",
                isSecret: true)
        }
        return Note(key: entry.name, outcome: .kept, detail: "\(theirs) (ours would be \(ours))")
    }

    /// The note for a password digest in the file that is not of `.env`'s password.
    func passwordKeptNote(_ entry: FirstStartSeed.Entry, setting: String, path: String) -> Note {
        Note(
            key: entry.name, outcome: .kept,
            detail: "the app's login password is not \(setting) from .env (it was changed in the app, or in .env);"
                + " sign in with the app's, or delete that line from \((path as NSString).lastPathComponent) while the"
                + " app is stopped and run `mediaserver up` again to set .env's",
            isSecret: true)
    }

    func mergeConfigObj(
        _ seed: FirstStartSeed, _ text: String, path: String, notes: inout [Note]
    ) throws(SeedError) -> String {
        var document = try ConfigObjDocument(text, path: path)
        // A group goes into a file without its parent section, so all of it is new: one note per group.
        let groups = seed.groups.filter { !document.hasSection($0.parent) }
        for group in groups {
            for entry in group.entries {
                guard let key = entry.path.last, let (value, _) = desired(entry) else { continue }
                document.set(key, .single(Self.iniText(value)), in: Array(entry.path.dropLast()))
            }
        }
        for entry in seed.entries {
            guard let key = entry.path.last else { continue }
            let section = Array(entry.path.dropLast())
            let existing = document.value(key, in: section)
            // A digest the file has is checked against .env's password: each digest has its own salt, so two
            // digests of one password never compare equal as text.
            if case .passwordDigest(let setting) = entry.value, let existing, !existing.isEmpty {
                let digest = existing.items.joined(separator: ", ")
                if let password = secretValue(setting), !TautulliPasswordDigest.matches(password, digest: digest) {
                    notes.append(passwordKeptNote(entry, setting: setting, path: path))
                }
                continue
            }
            guard let (value, secret) = desired(entry) else {
                if existing?.isEmpty ?? true { notes.append(skippedNote(entry)) }
                continue
            }
            switch value {
            case .listIncluding(let items):
                let current = existing?.items ?? []
                let missing = items.filter { !current.map { $0.lowercased() }.contains($0.lowercased()) }
                guard !missing.isEmpty else { continue }
                document.set(key, .list(current + missing), in: section)
                notes.append(
                    Note(key: "\(entry.name) (\(missing.joined(separator: ", ")))", outcome: .added, detail: nil))
            default:
                let ours = Self.iniText(value)
                if let existing, !existing.isEmpty {
                    let theirs = existing.items.joined(separator: ", ")
                    if theirs != ours {
                        notes.append(keptNote(entry, theirs: theirs, secret: secret, ours: ours, path: path))
                    }
                    continue
                }
                document.set(key, .single(ours), in: section)
                notes.append(Note(key: entry.name, outcome: .added, detail: nil))
            }
        }
        notes += groups.map { Note(key: $0.section.joined(separator: "."), outcome: .added, detail: nil) }
        return document.text
    }

    static func iniText(_ value: FirstStartSeed.Value) -> String {
        switch value {
        case .text(let text), .setting(let text): text
        case .integer(let number): String(number)
        case .boolean(let flag): flag ? "1" : "0"
        case .listIncluding(let items): items.joined(separator: ", ")
        // `desired` turns it into the digest's text.
        case .passwordDigest: ""
        }
    }

    func mergeYAML(_ seed: FirstStartSeed, _ text: String, path: String, notes: inout [Note]) throws(SeedError)
        -> String
    {
        var root: Node.Mapping
        do {
            switch try Yams.compose(yaml: text) {
            case nil: root = Node.Mapping([])
            case .mapping(let mapping)?: root = mapping
            case let other?:
                throw SeedError(
                    file: path, line: other.mark?.line, message: "is not a mapping of sections",
                    fix: "restore the file from a backup, or move it away so the app writes a new one")
            }
        } catch let error as SeedError {
            throw error
        } catch {
            throw SeedError(
                file: path, message: "is not valid YAML (\(error))",
                fix: "correct the line named, or move the file away so the app writes a new one")
        }
        var changed = false
        for entry in seed.entries {
            guard entry.path.count == 2 else { continue }
            let (sectionName, key) = (entry.path[0], entry.path[1])
            var section = Node.Mapping([])
            if let current = root[sectionName], !Self.isEmptyYAML(current) {
                guard case .mapping(let mapping) = current else {
                    throw SeedError(
                        file: path, line: current.mark?.line, message: "\(sectionName) is not a mapping",
                        fix: "make \(sectionName) a mapping of keys, or delete it so the app fills it in")
                }
                section = mapping
            }
            guard let (value, secret) = desired(entry) else {
                if section[key].map(Self.isEmptyYAML) ?? true { notes.append(skippedNote(entry)) }
                continue
            }
            let ours = Self.yamlNode(value)
            if let existing = section[key], !Self.isEmptyYAML(existing) {
                if existing.scalar?.string.lowercased() != ours.scalar?.string.lowercased() {
                    let theirs = existing.scalar?.string ?? "(not a single value)"
                    notes.append(
                        keptNote(entry, theirs: theirs, secret: secret, ours: ours.scalar?.string ?? "", path: path))
                }
                continue
            }
            section[key] = ours
            root[sectionName] = .mapping(section)
            notes.append(Note(key: entry.name, outcome: .added, detail: nil))
            changed = true
        }
        guard changed else { return text }
        do {
            return try Yams.serialize(node: .mapping(root), indent: 2, width: -1, allowUnicode: true)
        } catch {
            throw SeedError(
                file: path, message: "could not be written back as YAML (\(error))",
                fix: "report this with the file's structure (not its secrets)")
        }
    }

    /// A plain scalar in Dynaconf's types: strings quoted (a key of digits must stay a string), ints and bools plain.
    static func yamlNode(_ value: FirstStartSeed.Value) -> Node {
        switch value {
        case .text(let text), .setting(let text): Node(text, Tag(.str), .singleQuoted)
        case .integer(let number): Node(String(number), Tag(.int), .plain)
        case .boolean(let flag): Node(flag ? "true" : "false", Tag(.bool), .plain)
        case .listIncluding(let items): Node(items.map { Node($0, Tag(.str), .singleQuoted) })
        // `desired` turns it into the digest's text.
        case .passwordDigest: Node("", Tag(.str), .singleQuoted)
        }
    }

    static func isEmptyYAML(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.string.isEmpty
            || (scalar.style == .plain && ["null", "Null", "NULL", "~"].contains(scalar.string))
    }
}
