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

            --root-prefix puts the default roots under one folder: /opt/mediaserver becomes \
            <prefix>/opt/mediaserver, and so do /mnt/storage/data and /mnt/backup/mediaserver (--config-root, \
            --data-root, --backup-root and a kept .env still win). Use it to try the stack out without touching \
            /opt or /mnt. The environment variable \(EnvInitializer.rootPrefixVariable) does the same, here and \
            for `mediaserver up`, which writes .env on a fresh clone.

            Examples:
              mediaserver init
              mediaserver init --yes --lan-ip 192.168.1.10 --data-root /tank/media
              mediaserver init --yes --root-prefix /srv/mediaserver-trial
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
    @Option(
        name: .customLong("root-prefix"),
        help: "Folder to put the default config, data and backup roots under (absolute).")
    var rootPrefix: String?
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
        if let rootPrefix, EnvInitializer.roots(under: rootPrefix) == nil {
            throw ValidationError("--root-prefix must be an absolute path, e.g. /srv/mediaserver-trial")
        }
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

    func run() async throws {
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
        let interactive = !yes && isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1
        let prompt: ((String, String) throws -> String)? = interactive ? { try Self.ask($0, current: $1) } : nil
        let initializer = EnvInitializer(checkout: common.rootURL)
        let outcome: EnvInitializer.Outcome
        do {
            outcome = try await initializer.run(
                EnvInitializer.Request(
                    flags: flags, force: force, rotateSecrets: rotateSecrets, rootPrefix: rootPrefix),
                prompt: prompt)
        } catch let refusal as EnvInitializer.Refusal {
            throw refusal.failure.report()
        }
        if json {
            if outcome.unchanged { initializer.summary(of: outcome).forEach(Console.error) }
            let changed: [String] = (outcome.changes ?? []).map { $0.key }
            try Console.json(
                Summary(
                    path: outcome.path.path, settings: outcome.settings, generatedSecrets: outcome.generatedSecrets,
                    keptSecrets: outcome.keptSecrets, changed: changed, previousCopy: outcome.previousCopy?.path))
        } else {
            initializer.summary(of: outcome).forEach(Console.error)
        }
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
