import ArgumentParser
import Foundation
import MediaStack
import MediaStackOperations

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

            An existing .env is never replaced without --force; with --force its secrets are kept (a new Borg \
            passphrase would lock you out of your backups) unless --rotate-secrets is given too.

            On a terminal it asks for the LAN address and the paths; elsewhere, or with --yes, it takes the \
            detected values and the flags.

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
    @Flag(help: "Replace an existing .env (its secrets are kept).") var force = false
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
    }

    func run() async throws {
        let path = common.rootURL.appendingPathComponent(".env")
        let existing = FileManager.default.contents(atPath: path.path).map { String(decoding: $0, as: UTF8.self) }
        if existing != nil && !force {
            Console.error("error: \(path.path) already exists and was left alone")
            Console.error("  fix: edit it by hand, or run `mediaserver init --force` (keeps its secrets)")
            throw ExitCode.failure
        }
        let host = HostFacts()
        let user = host.invokingUser()
        var values: [String: String] = [:]
        values["PUID"] = String(puid ?? user.uid)
        values["PGID"] = String(pgid ?? user.gid)
        values["TZ"] = tz ?? host.timeZone() ?? "Etc/UTC"
        let detectedAddress = await host.lanAddress()
        values["LAN_IP"] = lanIP ?? detectedAddress ?? "127.0.0.1"
        if let gid = renderGID ?? host.renderGroupID() { values["RENDER_GID"] = String(gid) }
        // Compose refuses a device that does not exist, so a host without a GPU transcodes in software.
        values[SettingsCatalog.transcodeDeviceKey] =
            transcodeDevice ?? (FileManager.default.fileExists(atPath: Catalog.gpuDevice) ? Catalog.gpuDevice : "")
        if let configRoot { values["CONFIG_ROOT"] = configRoot }
        if let dataRoot { values["DATA_ROOT"] = dataRoot }
        if let backupRoot { values["BACKUP_ROOT"] = backupRoot }
        if let disable { values[SettingsCatalog.disabledServicesKey] = disable }

        let interactive = !yes && isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1
        if interactive {
            let defaults = Dictionary(
                uniqueKeysWithValues: SettingsCatalog.definitions().map { ($0.key, $0.defaultValue) })
            for key in ["LAN_IP", "CONFIG_ROOT", "DATA_ROOT", "BACKUP_ROOT"] {
                let current = values[key] ?? defaults[key] ?? ""
                FileHandle.standardError.write(Data("\(key) [\(current)]: ".utf8))
                if let answer = readLine()?.trimmingCharacters(in: .whitespaces), !answer.isEmpty {
                    values[key] = answer
                }
            }
        }

        // Secrets: keep the ones an existing .env has (unless rotating), generate the rest.
        let previous = existing.flatMap { try? EnvFile.parse($0, path: ".env") }
        let generator = SecretGenerator()
        var generated: [String] = []
        var kept: [String] = []
        for definition in SettingsCatalog.definitions() where definition.isSecret {
            if !rotateSecrets, let old = previous?[definition.key], !old.isEmpty, old != "CHANGE_ME" {
                values[definition.key] = old
                kept.append(definition.key)
                continue
            }
            switch SettingsCatalog.generatedSecrets()[definition.key] {
            case .apiKey: values[definition.key] = generator.apiKey()
            case .passphrase(let length): values[definition.key] = generator.passphrase(length: length)
            case nil: continue  // made by the app itself (Jellyfin's key, Plex's token)
            }
            generated.append(definition.key)
        }

        let text =
            EnvFileComposer().compose(
                values: values,
                header: [
                    "mediaserver settings, written by `mediaserver init`. Keep this file private (mode 600, never in git).",
                    "Every variable is explained below; `mediaserver check` validates the file.",
                ]) + "\n"
        // Validate before writing: a bad flag value must not leave a half-usable .env behind.
        do {
            _ = try Settings.parse(text, path: ".env")
        } catch {
            for issue in error.issues {
                Console.error(
                    "error: \(issue.key ?? "value"): \(issue.message)\n  fix: \(issue.fix) (pass it as a flag)")
            }
            Console.error("nothing was written")
            throw ExitCode.findings
        }
        try RenderWriter.atomicWrite(text, to: path, mode: 0o600)
        if getuid() == 0, let owner = values["PUID"].flatMap(UInt32.init),
            let group = values["PGID"].flatMap(UInt32.init)
        {
            // Under sudo the file belongs to the person who will edit it, still readable by nobody else.
            _ = chown(path.path, owner, group)
        }
        let shown = values.filter { key, _ in !SettingsCatalog.definitions().contains { $0.key == key && $0.isSecret } }
        if json {
            try Console.json(Summary(path: path.path, settings: shown, generatedSecrets: generated, keptSecrets: kept))
        } else {
            Console.error("wrote \(path.path) (mode 600)")
            for key in shown.keys.sorted() { Console.error("  \(key)=\(shown[key] ?? "")") }
            if !generated.isEmpty { Console.error("  generated: \(generated.joined(separator: ", "))") }
            if !kept.isEmpty { Console.error("  kept from the old file: \(kept.joined(separator: ", "))") }
            Console.error("next: mediaserver render && mediaserver doctor && mediaserver up")
        }
    }
}
