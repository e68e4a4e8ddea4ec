import Foundation
import MediaStack
import MediaStackChecks
import MediaStackRendering

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a checkout's `.env` (what `init` does, and `up` on a fresh clone): settings from flags, the previous
/// file and the host, every secret kept or generated, validated as `render` would before anything is written.
public struct EnvInitializer: Sendable {
    /// The checkout; `.env` is written at its root.
    public let checkout: URL
    public let environment: [String: String]
    public let host: HostFacts

    public init(
        checkout: URL, environment: [String: String] = ProcessInfo.processInfo.environment,
        host: HostFacts = HostFacts()
    ) {
        self.checkout = checkout
        self.environment = environment
        self.host = host
    }

    /// What the caller asks for.
    public struct Request: Sendable {
        /// Settings given as flags: they win over the previous file and the host.
        public var flags: [String: String]
        /// Replace an existing `.env` (its settings and secrets are kept unless a flag changes them).
        public var force: Bool
        /// With `force`: generate new secrets too.
        public var rotateSecrets: Bool
        /// An absolute folder the default roots are moved under (``rootPrefixVariable`` when nil).
        public var rootPrefix: String?

        public init(
            flags: [String: String] = [:], force: Bool = false, rotateSecrets: Bool = false, rootPrefix: String? = nil
        ) {
            self.flags = flags
            self.force = force
            self.rotateSecrets = rotateSecrets
            self.rootPrefix = rootPrefix
        }
    }

    /// The environment variable that moves the default roots under a folder, as `init --root-prefix` does: read by
    /// `init`, and by `up` when it writes `.env` on a fresh clone.
    public static let rootPrefixVariable = "MEDIASERVER_ROOT_PREFIX"

    /// The settings whose default is a host folder the stack creates (`CONFIG_ROOT`, `DATA_ROOT`, `BACKUP_ROOT`),
    /// each with its default moved under `prefix`: `/srv/trial` makes `/srv/trial/opt/mediaserver` of
    /// `/opt/mediaserver`. Nil when `prefix` is not an absolute path.
    public static func roots(under prefix: String) -> [String: String]? {
        guard prefix.hasPrefix("/") else { return nil }
        let folder = String(prefix.reversed().drop { $0 == "/" }.reversed())
        var roots: [String: String] = [:]
        for definition in SettingsCatalog.definitions() where definition.kind == .absolutePath {
            roots[definition.key] = folder + definition.defaultValue
        }
        return roots
    }

    /// The keys a terminal is asked for, in order.
    public static let promptedKeys = [SettingKey.lanIP, .configRoot, .dataRoot, .backupRoot].map(\.rawValue)

    /// One setting whose value differs from the previous `.env`; a secret's values are never carried.
    public struct Change: Sendable, Hashable {
        public let key: String
        public let isSecret: Bool
        /// The previous and the new value (nil for a secret, or when unset).
        public let before: String?
        public let after: String?
        /// Whether the previous file had the key at all.
        public let wasSet: Bool
    }

    /// What was written (or found already there).
    public struct Outcome: Sendable {
        public let path: URL
        /// The chosen settings without the secrets.
        public let settings: [String: String]
        public let generatedSecrets: [String]
        public let keptSecrets: [String]
        /// Nil when there was no previous `.env`.
        public let changes: [Change]?
        /// The 0600 copy of the previous `.env`, when one was replaced.
        public let previousCopy: URL?
        /// Whether `.env` already held exactly this, so nothing was written.
        public let unchanged: Bool
    }

    /// Why nothing was written.
    public enum Refusal: Error, Sendable {
        /// `.env` exists and `force` was not given.
        case exists(URL)
        /// `force` keeps what the previous file says, but some of it cannot be read.
        case unreadable([SettingsIssue])
        /// `rotateSecrets` would replace the passphrase of the Borg repository at this path.
        case borgRepositoryInUse(String)
        /// A value is not valid.
        case invalidSettings([SettingsIssue])
        /// The root prefix (the option, or ``rootPrefixVariable`` when it came from there) is not an absolute path.
        case invalidRootPrefix(String, source: String)
        /// The settings are valid but the stack they make has errors.
        case findings([Finding])
        /// The copy of the previous file could not be written.
        case copyFailed(String)
        case writeFailed(String)
    }

    /// The lines that say what was done (never a secret's value).
    public func summary(of outcome: Outcome) -> [String] {
        let path = outcome.path.path
        if outcome.unchanged { return ["\(path) already holds these settings; nothing was written"] }
        var lines = ["wrote \(path) (mode 600)"]
        if let copy = outcome.previousCopy {
            lines.append("  the previous file is kept as \(copy.lastPathComponent) (mode 600)")
        }
        if let changes = outcome.changes {
            if changes.isEmpty { lines.append("  no setting changed") }
            for change in changes {
                if change.isSecret {
                    lines.append("  \(change.key): \(change.wasSet ? "replaced by a new secret" : "generated")")
                } else {
                    let before = change.before.map { SettingsIssue.excerpt($0) } ?? "(not set)"
                    lines.append("  \(change.key): \(before) → \(SettingsIssue.excerpt(change.after ?? ""))")
                }
            }
        } else {
            for key in outcome.settings.keys.sorted() { lines.append("  \(key)=\(outcome.settings[key] ?? "")") }
            if !outcome.generatedSecrets.isEmpty {
                lines.append("  generated: \(outcome.generatedSecrets.joined(separator: ", "))")
            }
        }
        if !outcome.keptSecrets.isEmpty && outcome.changes != nil {
            lines.append("  secrets kept: \(outcome.keptSecrets.joined(separator: ", "))")
        }
        lines.append("next: mediaserver render && mediaserver doctor && mediaserver up")
        return lines
    }

    /// The secrets after applying the keep/generate rules, and which were generated or kept.
    public struct Secrets: Sendable {
        public var values: [String: String] = [:]
        public var generated: [String] = []
        public var kept: [String] = []
    }

    /// The secret rules: a secret the previous file has (set, and not the `CHANGE_ME` placeholder) is kept unless
    /// `rotate`; one the stack can generate is generated; one the app makes itself (Jellyfin's key, Plex's token)
    /// keeps what was there, even empty, and is otherwise left out.
    public static func secrets(
        previous: [String: String]?, rotate: Bool, generator: SecretGenerator = SecretGenerator(),
        definitions: [SettingDefinition] = SettingsCatalog.definitions(),
        generatable: [String: SettingsCatalog.GeneratedSecret] = SettingsCatalog.generatedSecrets()
    ) -> Secrets {
        var secrets = Secrets()
        for definition in definitions where definition.isSecret {
            if !rotate, let old = previous?[definition.key], Self.isReal(old) {
                secrets.values[definition.key] = old
                secrets.kept.append(definition.key)
                continue
            }
            switch generatable[definition.key] {
            case .apiKey: secrets.values[definition.key] = generator.apiKey()
            case .passphrase(let length): secrets.values[definition.key] = generator.passphrase(length: length)
            case nil:
                if let old = previous?[definition.key] { secrets.values[definition.key] = old }
                continue
            }
            secrets.generated.append(definition.key)
        }
        return secrets
    }

    /// Whether a previous secret is one to keep: set, and not the template's placeholder.
    static func isReal(_ secret: String) -> Bool { !secret.isEmpty && secret != "CHANGE_ME" }

    /// Writes `.env` for `request`. `prompt`, when given, is asked for each of ``promptedKeys`` no flag sets, with
    /// the value it would otherwise get. Throws ``Refusal`` when nothing was written.
    public func run(_ request: Request, prompt: ((String, String) throws -> String)? = nil) async throws -> Outcome {
        let path = checkout.appendingPathComponent(".env")
        var status = stat()
        let exists = lstat(path.path, &status) == 0
        if exists && !request.force { throw Refusal.exists(path) }
        let previous = exists ? try readPrevious(path) : nil
        let definitions = SettingsCatalog.definitions()
        let secretKeys = Set(definitions.filter(\.isSecret).map(\.key))
        let flags = request.flags

        // Order of precedence: a flag, then the previous file, then what the host tells, then the template.
        let user = host.invokingUser(environment: environment)
        var detected: [String: String] = [:]
        detected[SettingKey.puid.rawValue] = String(user.uid)
        detected[SettingKey.pgid.rawValue] = String(user.gid)
        detected[SettingKey.timeZone.rawValue] = host.timeZone() ?? "Etc/UTC"
        if previous?[SettingKey.lanIP.rawValue] == nil && flags[SettingKey.lanIP.rawValue] == nil {
            detected[SettingKey.lanIP.rawValue] = await host.lanAddress() ?? "127.0.0.1"
        }
        if let gid = host.renderGroupID() { detected[SettingKey.renderGID.rawValue] = String(gid) }
        // The default roots under a prefix, as if detected: a flag or the previous file still wins.
        let prefixSource = request.rootPrefix != nil ? "--root-prefix" : Self.rootPrefixVariable
        if let prefix = request.rootPrefix ?? environment[Self.rootPrefixVariable], !prefix.isEmpty {
            guard let roots = Self.roots(under: prefix) else {
                throw Refusal.invalidRootPrefix(prefix, source: prefixSource)
            }
            detected.merge(roots) { _, root in root }
        }
        // Compose refuses a device that does not exist, so a host without a GPU transcodes in software.
        detected[SettingsCatalog.transcodeDeviceKey] =
            FileManager.default.fileExists(atPath: Catalog.gpuDevice) ? Catalog.gpuDevice : ""

        var values: [String: String] = [:]
        for definition in definitions where !definition.isSecret {
            if let value = flags[definition.key] ?? previous?[definition.key] ?? detected[definition.key] {
                values[definition.key] = value
            }
        }
        if let prompt {
            let defaults = Dictionary(uniqueKeysWithValues: definitions.map { ($0.key, $0.defaultValue) })
            for key in Self.promptedKeys where flags[key] == nil {
                values[key] = try prompt(key, values[key] ?? defaults[key] ?? "")
            }
        }

        // A new passphrase would lock the user out of a repository encrypted with the current one.
        let repository =
            values[SettingKey.backupRoot.rawValue] ?? definitions.first { $0.key == SettingKey.backupRoot.rawValue }?
            .defaultValue ?? ""
        if request.rotateSecrets, let old = previous?[SettingKey.borgPassphrase.rawValue], Self.isReal(old),
            BackupDriver.isBorgRepository(repository)
        {
            throw Refusal.borgRepositoryInUse(repository)
        }
        let previousValues = previous.map { file in
            Dictionary(file.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        }
        let secrets = Self.secrets(previous: previousValues, rotate: request.rotateSecrets)
        values.merge(secrets.values) { _, secret in secret }

        // Image tags `mediaserver upgrade` chose are in no template: carried over, or the next `up` would put the
        // catalog's older pins back on databases the newer versions migrated.
        let tagKeys = Set(definitions.filter { $0.section == .imageTags }.map(\.key))
        let tags = (previous?.entries ?? []).filter { tagKeys.contains($0.key) }
        for entry in tags { values[entry.key] = entry.value }
        // Variables of the user's own that the catalog does not know are carried over at the end.
        // The keys of the indexers INDEXERS lists are settings too, declared by the list rather than the catalog.
        let listed = (values[SettingKey.indexers.rawValue] ?? "").split(separator: ",").map {
            NewznabIndexer.keyPrefix(String($0).trimmingCharacters(in: .whitespaces))
        }
        let unknown = (previous?.entries ?? []).filter { entry in !definitions.contains { $0.key == entry.key } }
        let indexerKeys = unknown.filter { entry in listed.contains { entry.key.hasPrefix($0) } }
        let extra = unknown.filter { entry in !listed.contains { entry.key.hasPrefix($0) } }
        var text =
            EnvFileComposer().compose(
                values: values,
                header: [
                    "mediaserver settings, written by `mediaserver init`. Keep this file private (mode 600, never in git).",
                    "Every variable is explained below; `mediaserver check` validates the file.",
                ]) + "\n"
        if !tags.isEmpty {
            text += "\n# Image tags chosen by `mediaserver upgrade` (delete a line to follow the catalog's pin)\n"
            text += tags.map { "\($0.key)=\(EnvFile.literal($0.value))\n" }.joined()
        }
        if !indexerKeys.isEmpty {
            text += "\n# The indexers INDEXERS lists (`mediaserver wire` adds them to Prowlarr)\n"
            text += indexerKeys.map { "\($0.key)=\(EnvFile.literal($0.value))\n" }.joined()
        }
        if !extra.isEmpty {
            text += "\n# Kept from the previous .env (not mediaserver settings)\n"
            text += extra.map { "\($0.key)=\(EnvFile.literal($0.value))\n" }.joined()
        }
        // Validate before writing, as render would: a bad flag value or a service that others need must not leave
        // a .env behind that render then refuses.
        do {
            let settings = try Settings.parse(text, path: ".env", environment: environment)
            let stack = Stack(settings: settings)
            let errors = StackChecks().run(stack, rendered: try StackRenderer().render(stack)).filter {
                $0.severity == .error
            }
            if !errors.isEmpty { throw Refusal.findings(errors) }
        } catch let error as SettingsError {
            throw Refusal.invalidSettings(error.issues)
        }

        let changes = previous.map { previous in
            definitions.map(\.key).filter { key in
                previous[key] != values[key] && !(previous[key] == nil && values[key] == nil)
            }.map { key in
                let secret = secretKeys.contains(key)
                return Change(
                    key: key, isSecret: secret, before: secret ? nil : previous[key],
                    after: secret ? nil : values[key], wasSet: previous[key] != nil)
            }
        }
        let shown = values.filter { key, _ in !secretKeys.contains(key) }
        func outcome(copy: URL?, unchanged: Bool) -> Outcome {
            Outcome(
                path: path, settings: shown, generatedSecrets: secrets.generated, keptSecrets: secrets.kept,
                changes: changes, previousCopy: copy, unchanged: unchanged)
        }
        if let changes, changes.isEmpty && extra.isEmpty,
            FileManager.default.contents(atPath: path.path) == Data(text.utf8)
        {
            return outcome(copy: nil, unchanged: true)
        }
        let writer = EnvFileWriter(url: path)
        var copy: URL?
        if exists {
            do {
                copy = try writer.keepCopy()
            } catch {
                throw Refusal.copyFailed("\(error)")
            }
        }
        do {
            try writer.write(text)
        } catch {
            throw Refusal.writeFailed("\(error)")
        }
        if getuid() == 0, let owner = values[SettingKey.puid.rawValue].flatMap(UInt32.init),
            let group = values[SettingKey.pgid.rawValue].flatMap(UInt32.init)
        {
            // Under sudo the files belong to the person who will edit them, still readable by nobody else.
            _ = chown(path.path, owner, group)
            if let copy { _ = chown(copy.path, owner, group) }
        }
        return outcome(copy: copy, unchanged: false)
    }

    /// The previous `.env`, read exactly (`force` keeps what it says); a file that cannot be read is not replaced.
    private func readPrevious(_ path: URL) throws -> EnvFile? {
        do {
            return try SettingsLoader(root: checkout, environment: environment).load(".env").file
        } catch {
            // A bad value (a LAN_IP that is no address, say) is what --force may be run to fix, and is checked
            // again before writing; a file that is not a readable regular file, or a line that cannot be read, is
            // not.
            var unreadable = error.issues.filter { $0.line == nil }
            var previous: EnvFile?
            if unreadable.isEmpty, let bytes = FileManager.default.contents(atPath: path.path) {
                let (file, syntax) = EnvFile.parseCollectingIssues(
                    bytes: Array(bytes), path: ".env", environment: environment)
                unreadable = syntax
                previous = file
            }
            if !unreadable.isEmpty { throw Refusal.unreadable(unreadable) }
            return previous
        }
    }
}

extension EnvInitializer.Refusal {
    /// The refusal as the lines to show, with the fix; a bad value or a stack with errors is of kind `findings`.
    public var failure: OperationFailure {
        switch self {
        case .exists(let path):
            return OperationFailure([
                "error: \(path.path) already exists and was left alone",
                "  fix: edit it by hand, or run `mediaserver init --force` (keeps its settings and secrets)",
            ])
        case .unreadable(let issues):
            return OperationFailure(
                .findings,
                issues.map(\.description) + [
                    "init --force keeps every setting of .env, so it must read it first: fix the lines above, or"
                        + " move the file away to start afresh; nothing was written"
                ])
        case .borgRepositoryInUse(let repository):
            return OperationFailure([
                "error: --rotate-secrets would replace BORG_PASSPHRASE, but the Borg repository \(repository) is"
                    + " encrypted with the current one: with a new one in .env no backup could be read or written",
                "  fix: change the repository's passphrase with borg itself, then put the new one in .env:\n"
                    + "    docker compose exec borgmatic borg key change-passphrase \(BackupPaths.repository)\n"
                    + "  (or, on the host: BORG_REPO=\(repository) borg key change-passphrase); to rotate the other"
                    + " secrets, set them to CHANGE_ME in .env and run `mediaserver init --force`",
                "nothing was written",
            ])
        case .invalidSettings(let issues):
            return OperationFailure(
                .findings,
                issues.map {
                    // The file is not written yet: the finding is about the key, which a flag sets.
                    Finding(
                        .error, .invalidSetting, subject: $0.key ?? "value", message: $0.message,
                        fix: "\($0.fix) (pass it as a flag)"
                    ).description
                }
                    + ["nothing was written"])
        case .findings(let findings):
            return OperationFailure(.findings, findings.map(\.description) + ["nothing was written"])
        case .invalidRootPrefix(let prefix, let source):
            return OperationFailure([
                "error: \(source) \(SettingsIssue.excerpt(prefix)) is not an absolute path",
                "  fix: give the folder to put the config, data and backup roots under as an absolute path, e.g."
                    + " /srv/mediaserver-trial",
                "nothing was written",
            ])
        case .copyFailed(let reason):
            return OperationFailure([
                "error: could not keep a copy of the previous .env: \(reason)\nnothing was written"
            ])
        case .writeFailed(let reason):
            return OperationFailure(["error: \(reason)"])
        }
    }
}
