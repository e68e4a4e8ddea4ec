import ArgumentParser
import Foundation
import MediaStack
import MediaStackChecks
import MediaStackOperations
import MediaStackRendering

#if canImport(Glibc)
    import Glibc
#endif

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write .env: detect ids, time zone, LAN address and render group; generate every secret.",
        discussion: """
            Detects PUID/PGID (the sudo caller's under sudo), the time zone, the LAN address to bind and the group \
            owning /dev/dri. Generates every key an app can take before its first start: Sonarr, Radarr, \
            Prowlarr and both Seerr instances read theirs from the environment; SABnzbd, Bazarr and Tautulli from \
            their own files, which `mediaserver up` seeds. So Homepage, exportarr and Recyclarr get the same keys. \
            Also the Borg passphrase and the Grafana password, all from the system's cryptographic random source. \
            Writes .env with mode 0600; the secrets are never printed.

            An existing .env is never replaced without --force. With --force every setting it has is kept unless a \
            flag changes it, its secrets are kept unless --rotate-secrets is given too, what changed is printed, \
            and the previous file is kept beside it as .env.before-init-<time> (mode 600). --rotate-secrets \
            refuses to replace the Borg passphrase while BACKUP_ROOT holds a repository (a new one would lock you \
            out of your backups): change that one with `borg key change-passphrase`.

            On a terminal it asks for the LAN address and the paths, checking each answer as it is typed; \
            elsewhere, or with --yes, it takes the flags, the previous file's values and the detected ones.

            Examples:
              mediaserver init
              mediaserver init --yes --lan-ip 192.168.1.10 --data-root /tank/media
              sudo mediaserver init --force --disable plex,overseerr,tautulli
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "User id the apps run as (default: the invoking user, or the sudo caller).") var puid: UInt32?
    @Option(help: "Group id the apps share.") var pgid: UInt32?
    @Option(help: "IANA time zone (default: the host's).") var tz: String?
    @Option(name: .customLong("lan-ip"), help: "Address published ports bind to (default: the default route's).")
    var lanIP: String?
    @Option(name: .customLong("render-gid"), help: "Group owning /dev/dri (default: detected).") var renderGID: UInt32?
    @Option(
        name: .customLong("transcode-device"),
        help: "GPU device for hardware transcoding; empty for none (default: /dev/dri when it exists).")
    var transcodeDevice: String?
    @Option(name: .customLong("config-root"), help: "App configuration root.") var configRoot: String?
    @Option(name: .customLong("data-root"), help: "The media tree.") var dataRoot: String?
    @Option(name: .customLong("backup-root"), help: "The local Borg repository.") var backupRoot: String?
    @Option(help: "Comma-separated services to disable.") var disable: String?
    @Flag(help: "Replace an existing .env (its settings and secrets are kept unless a flag changes them).")
    var force = false
    @Flag(name: .customLong("rotate-secrets"), help: "With --force: generate new secrets too.") var rotateSecrets =
        false
    @Flag(name: [.customShort("y"), .long], help: "Ask nothing; use detected values and flags.") var yes = false
    @Flag(help: "Print the chosen settings (never the secrets) as JSON.") var json = false

    func validate() throws {
        try common.validateRoot()
        if rotateSecrets && !force { throw ValidationError("--rotate-secrets only makes sense with --force") }
    }

    struct Summary: Encodable {
        let path: String
        let settings: [String: String]
        let generatedSecrets: [String]
        let keptSecrets: [String]
        /// Settings whose value differs from the previous .env (secrets by name only).
        let changed: [String]
        /// The 0600 copy of the previous .env, when one was replaced.
        let previousCopy: String?
    }

    /// The keys the prompts ask for, in order.
    static let promptedKeys = [SettingKey.lanIP, .configRoot, .dataRoot, .backupRoot].map(\.rawValue)

    func run() async throws {
        let path = common.rootURL.appendingPathComponent(".env")
        let environment = ProcessInfo.processInfo.environment
        var status = stat()
        let exists = lstat(path.path, &status) == 0
        if exists && !force {
            Console.error("error: \(path.path) already exists and was left alone")
            Console.error("  fix: edit it by hand, or run `mediaserver init --force` (keeps its settings and secrets)")
            throw ExitCode.failure
        }
        // --force keeps what the file says, so it must read it exactly; a file it cannot read is not replaced.
        var previous: EnvFile?
        if exists {
            let loader = SettingsLoader(root: common.rootURL, environment: environment)
            do {
                previous = try loader.load(".env").file
            } catch {
                // A bad value (a LAN_IP that is no address, say) is what --force may be run to fix, and is checked
                // again below; a file that is not a readable regular file, or a line that cannot be read, is not.
                var unreadable = error.issues.filter { $0.line == nil }
                if unreadable.isEmpty, let bytes = FileManager.default.contents(atPath: path.path) {
                    let (file, syntax) = EnvFile.parseCollectingIssues(
                        bytes: Array(bytes), path: ".env", environment: environment)
                    unreadable = syntax
                    previous = file
                }
                if !unreadable.isEmpty {
                    for issue in unreadable { Console.error(issue.description) }
                    Console.error(
                        "init --force keeps every setting of .env, so it must read it first: fix the lines above, or"
                            + " move the file away to start afresh; nothing was written")
                    throw ExitCode.findings
                }
            }
        }
        let definitions = SettingsCatalog.definitions()
        let secretKeys = Set(definitions.filter(\.isSecret).map(\.key))

        // Order of precedence: a flag, then the previous file, then what the host tells, then the template.
        let host = HostFacts()
        let user = host.invokingUser()
        var flags: [String: String] = [:]
        if let puid { flags[SettingKey.puid.rawValue] = String(puid) }
        if let pgid { flags[SettingKey.pgid.rawValue] = String(pgid) }
        if let tz { flags[SettingKey.timeZone.rawValue] = tz }
        if let lanIP { flags[SettingKey.lanIP.rawValue] = lanIP }
        if let renderGID { flags[SettingKey.renderGID.rawValue] = String(renderGID) }
        if let transcodeDevice { flags[SettingsCatalog.transcodeDeviceKey] = transcodeDevice }
        if let configRoot { flags[SettingKey.configRoot.rawValue] = configRoot }
        if let dataRoot { flags[SettingKey.dataRoot.rawValue] = dataRoot }
        if let backupRoot { flags[SettingKey.backupRoot.rawValue] = backupRoot }
        if let disable { flags[SettingsCatalog.disabledServicesKey] = disable }

        var detected: [String: String] = [:]
        detected[SettingKey.puid.rawValue] = String(user.uid)
        detected[SettingKey.pgid.rawValue] = String(user.gid)
        detected[SettingKey.timeZone.rawValue] = host.timeZone() ?? "Etc/UTC"
        if previous?[SettingKey.lanIP.rawValue] == nil && lanIP == nil {
            detected[SettingKey.lanIP.rawValue] = await host.lanAddress() ?? "127.0.0.1"
        }
        if let gid = host.renderGroupID() { detected[SettingKey.renderGID.rawValue] = String(gid) }
        // Compose refuses a device that does not exist, so a host without a GPU transcodes in software.
        detected[SettingsCatalog.transcodeDeviceKey] =
            FileManager.default.fileExists(atPath: Catalog.gpuDevice) ? Catalog.gpuDevice : ""

        var values: [String: String] = [:]
        for definition in definitions where !definition.isSecret {
            if let value = flags[definition.key] ?? previous?[definition.key] ?? detected[definition.key] {
                values[definition.key] = value
            }
        }

        let interactive = !yes && isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1
        if interactive {
            let defaults = Dictionary(uniqueKeysWithValues: definitions.map { ($0.key, $0.defaultValue) })
            for key in Self.promptedKeys where flags[key] == nil {
                values[key] = try Self.ask(key, current: values[key] ?? defaults[key] ?? "")
            }
        }

        // Secrets: keep the ones the existing .env has (unless rotating), generate the rest.
        let repository =
            values[SettingKey.backupRoot.rawValue] ?? definitions.first { $0.key == SettingKey.backupRoot.rawValue }?
            .defaultValue ?? ""
        if rotateSecrets, let old = previous?[SettingKey.borgPassphrase.rawValue], !old.isEmpty, old != "CHANGE_ME",
            Self.isBorgRepository(repository)
        {
            Console.error(
                "error: --rotate-secrets would replace BORG_PASSPHRASE, but the Borg repository \(repository) is"
                    + " encrypted with the current one: with a new one in .env no backup could be read or written")
            Console.error(
                "  fix: change the repository's passphrase with borg itself, then put the new one in .env:\n"
                    + "    docker compose exec borgmatic borg key change-passphrase \(BackupPaths.repository)\n"
                    + "  (or, on the host: BORG_REPO=\(repository) borg key change-passphrase); to rotate the other"
                    + " secrets, set them to CHANGE_ME in .env and run `mediaserver init --force`")
            Console.error("nothing was written")
            throw ExitCode.failure
        }
        let generator = SecretGenerator()
        var generated: [String] = []
        var kept: [String] = []
        for definition in definitions where definition.isSecret {
            if !rotateSecrets, let old = previous?[definition.key], !old.isEmpty, old != "CHANGE_ME" {
                values[definition.key] = old
                kept.append(definition.key)
                continue
            }
            switch SettingsCatalog.generatedSecrets()[definition.key] {
            case .apiKey: values[definition.key] = generator.apiKey()
            case .passphrase(let length): values[definition.key] = generator.passphrase(length: length)
            case nil:
                // Made by the app itself (Jellyfin's key, Plex's token): keep what was there, even empty.
                if let old = previous?[definition.key] { values[definition.key] = old }
                continue
            }
            generated.append(definition.key)
        }

        // Image tags `mediaserver upgrade` chose are in no template: carried over, or the next `up` would put the
        // catalog's older pins back on databases the newer versions migrated.
        let tagKeys = Set(definitions.filter { $0.section == .imageTags }.map(\.key))
        let tags = (previous?.entries ?? []).filter { tagKeys.contains($0.key) }
        for entry in tags { values[entry.key] = entry.value }
        // Variables of the user's own that the catalog does not know are carried over at the end.
        let extra = (previous?.entries ?? []).filter { entry in !definitions.contains { $0.key == entry.key } }
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
            if !errors.isEmpty {
                for finding in errors { Console.error(finding.description) }
                Console.error("nothing was written")
                throw ExitCode.findings
            }
        } catch let error as SettingsError {
            for issue in error.issues {
                Console.error(
                    "error: \(issue.key ?? "value"): \(issue.message)\n  fix: \(issue.fix) (pass it as a flag)")
            }
            Console.error("nothing was written")
            throw ExitCode.findings
        }

        let changed = definitions.map(\.key).filter { key in
            previous != nil && previous?[key] != values[key] && !(previous?[key] == nil && values[key] == nil)
        }
        if previous != nil && changed.isEmpty && extra.isEmpty,
            let current = FileManager.default.contents(atPath: path.path), current == Data(text.utf8)
        {
            Console.error("\(path.path) already holds these settings; nothing was written")
            return
        }
        var copy: URL?
        if exists, let old = FileManager.default.contents(atPath: path.path) {
            // The previous file is kept, private, before it is replaced: it may hold the only copy of a secret.
            let stamp = ISO8601DateFormatter.string(
                from: Date(), timeZone: TimeZone(identifier: "UTC") ?? .current,
                formatOptions: [.withYear, .withMonth, .withDay, .withTime, .withTimeZone])
            let backup = common.rootURL.appendingPathComponent(".env.before-init-\(stamp)")
            do {
                try RenderWriter.atomicWrite(String(decoding: old, as: UTF8.self), to: backup, mode: 0o600)
            } catch {
                Console.error("error: could not keep a copy of the previous .env: \(error)\nnothing was written")
                throw ExitCode.failure
            }
            copy = backup
        }
        do {
            try RenderWriter.atomicWrite(text, to: path, mode: 0o600)
        } catch {
            Console.error("error: \(error)")
            throw ExitCode.failure
        }
        if getuid() == 0, let owner = values[SettingKey.puid.rawValue].flatMap(UInt32.init),
            let group = values[SettingKey.pgid.rawValue].flatMap(UInt32.init)
        {
            // Under sudo the files belong to the person who will edit them, still readable by nobody else.
            _ = chown(path.path, owner, group)
            if let copy { _ = chown(copy.path, owner, group) }
        }
        let shown = values.filter { key, _ in !secretKeys.contains(key) }
        if json {
            try Console.json(
                Summary(
                    path: path.path, settings: shown, generatedSecrets: generated, keptSecrets: kept,
                    changed: changed, previousCopy: copy?.path))
            return
        }
        Console.error("wrote \(path.path) (mode 600)")
        if let copy { Console.error("  the previous file is kept as \(copy.lastPathComponent) (mode 600)") }
        if let previous {
            if changed.isEmpty { Console.error("  no setting changed") }
            for key in changed {
                if secretKeys.contains(key) {
                    Console.error("  \(key): \(previous[key] == nil ? "generated" : "replaced by a new secret")")
                } else {
                    let before = previous[key].map { SettingsIssue.excerpt($0) } ?? "(not set)"
                    Console.error("  \(key): \(before) → \(SettingsIssue.excerpt(values[key] ?? ""))")
                }
            }
        } else {
            for key in shown.keys.sorted() { Console.error("  \(key)=\(shown[key] ?? "")") }
            if !generated.isEmpty { Console.error("  generated: \(generated.joined(separator: ", "))") }
        }
        if !kept.isEmpty && previous != nil {
            Console.error("  secrets kept: \(kept.joined(separator: ", "))")
        }
        Console.error("next: mediaserver render && mediaserver doctor && mediaserver up")
    }

    /// Whether `path` holds a Borg repository (borg writes a `config` with a `[repository]` section).
    static func isBorgRepository(_ path: String) -> Bool {
        guard let config = FileManager.default.contents(atPath: path + "/config") else { return false }
        return String(decoding: config, as: UTF8.self).contains("[repository]")
    }

    /// Asks for `key` until the answer is valid; an empty answer keeps `current`.
    static func ask(_ key: String, current: String) throws -> String {
        while true {
            FileHandle.standardError.write(Data("\(key) [\(current)]: ".utf8))
            guard let line = readLine() else {
                Console.error("\nno answer (end of input); nothing was written")
                throw ExitCode.failure
            }
            let answer = line.trimmingCharacters(in: .whitespaces)
            let value = answer.isEmpty ? current : answer
            let problems = Settings.problems(of: value, for: key)
            if problems.isEmpty { return value }
            for problem in problems { Console.error("  \(problem.message)\n  fix: \(problem.fix)") }
        }
    }
}
