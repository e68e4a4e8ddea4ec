import MediaStack
import MediaStackRendering

/// Security checks of the model, the settings and the Compose files, with no I/O: placeholder secrets, ports on
/// every interface, socket mounts and privileged containers without a declared reason, logins without a jail.
public struct SecurityChecks: Sendable {
    public init() {}

    /// `composeFiles` are the Compose files to scan for port mappings (the fresh render, and the files on disk,
    /// which a hand edit may have changed).
    public func run(_ stack: Stack, composeFiles: [RenderedFile]) -> [Finding] {
        placeholderSecrets(stack) + undeclaredPrivileges(stack) + unjailedLogins(stack)
            + PublishedPortScan().findings(composeFiles)
    }

    func placeholderSecrets(_ stack: Stack) -> [Finding] {
        // .env.example is the template: its placeholders are expected there, and only worth a warning.
        let template = stack.settings.source.hasSuffix(EnvExampleRenderer.path)
        let generated = SettingsCatalog.generatedSecrets(for: stack.catalog)
        return stack.settings.definitions.compactMap { definition in
            guard case .secret(let placeholder) = definition.kind, !placeholder.isEmpty,
                stack.settings[definition.key] == placeholder
            else { return nil }
            // Authelia's secrets matter only while the front door is on.
            if !FrontDoor.isEnabled(stack.settings) && FrontDoor.generatedSecrets[definition.key] != nil { return nil }
            let line = stack.settings.file.entries.first { $0.key == definition.key }.map { ":\($0.line)" } ?? ""
            return Finding(
                template ? .warning : .error, .placeholderSecret, subject: definition.key,
                message:
                    "\(stack.settings.source)\(line) still sets \(definition.key) to the placeholder \(placeholder)",
                fix: fix(definition.key, generated[definition.key]))
        }
    }

    /// How to replace a placeholder: a key we generate can be any random value, since the app takes it from `.env`
    /// (by its environment, or from the file `mediaserver up` seeds before its first start).
    func fix(_ key: String, _ generated: SettingsCatalog.GeneratedSecret?) -> String {
        switch generated {
        case .apiKey:
            "set \(key) in .env to a random key (`openssl rand -hex 16` makes one); if the app has already made its"
                + " own key in its config file, copy that one instead"
        case .passphrase:
            "set \(key) in .env to a long random value (`openssl rand -hex 24` makes one)"
        case nil:
            "copy \(key) from the app, as its comment in .env.example says"
        }
    }

    /// Host paths that are, or contain, the Docker socket.
    static let socketPaths: Set<String> = ["/var/run/docker.sock", "/run/docker.sock", "/var/run", "/run", "/"]

    func undeclaredPrivileges(_ stack: Stack) -> [Finding] {
        var findings: [Finding] = []
        for service in stack.services {
            let socketMounts = service.mounts.compactMap { mount -> String? in
                guard case .host(let path) = mount.source else { return nil }
                let normalized = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
                return Self.socketPaths.contains(normalized) ? path : nil
            }
            if !socketMounts.isEmpty, service.security.reason(for: .dockerSocket)?.isEmpty ?? true {
                findings.append(
                    Finding(
                        .error, .undeclaredSocket, subject: service.name.rawValue,
                        message: "mounts \(socketMounts.joined(separator: ", ")), which gives control of Docker,"
                            + " with no declared reason",
                        fix: "use the socket proxy (security: SecurityProfile(dockerAPI: .proxy)) or declare"
                            + " SecurityException(.dockerSocket, \"why\") in Sources/MediaStack/Catalog.swift"))
            }
            if service.hostPID, service.security.reason(for: .hostNamespace)?.isEmpty ?? true {
                findings.append(
                    Finding(
                        .error, .undeclaredHostPID, subject: service.name.rawValue,
                        message: "shares the host's process namespace (pid: host) with no declared reason",
                        fix: "drop hostPID or declare SecurityException(.hostNamespace, \"why\") in the catalog"))
            }
            if service.privileged, service.security.reason(for: .privileged)?.isEmpty ?? true {
                findings.append(
                    Finding(
                        .error, .undeclaredPrivileged, subject: service.name.rawValue,
                        message: "runs privileged (every capability, every device) with no declared reason",
                        fix: "drop `privileged` or declare SecurityException(.privileged, \"why\") in the catalog"))
            }
        }
        return findings
    }

    /// Whether published ports reach beyond this machine (LAN_IP is not a loopback address).
    static func isExposed(_ settings: Settings) -> Bool { !settings.bindsToLoopback }

    func unjailedLogins(_ stack: Stack) -> [Finding] {
        guard Self.isExposed(stack.settings) else { return [] }
        let lan = stack.settings[.lanIP]
        let jailing = stack.isEnabled(.fail2ban)
        return stack.services.compactMap { service in
            guard !service.ports.isEmpty || service.usesHostNetwork else { return nil }
            if service.authLog != nil, !jailing {
                return Finding(
                    .warning, .loginWithoutJail, subject: service.name.rawValue,
                    message: "its login is reachable on \(lan) but fail2ban is disabled, so password guessing is"
                        + " never banned",
                    fix: "remove fail2ban from DISABLED_SERVICES and run `mediaserver render`")
            }
            if service.apiKey != nil, service.authLog == nil, service.unjailedLogin == nil {
                // An app with an API key has a login; the catalog must say how password guessing is banned.
                return Finding(
                    .warning, .loginWithoutJail, subject: service.name.rawValue,
                    message: "its login is reachable on \(lan), and the catalog declares no failed-login log for a"
                        + " fail2ban jail",
                    fix: "declare `authLog:` (with a filter tested against its failed-login line) or `unjailedLogin:`"
                        + " with the reason in Sources/MediaStack/Catalog.swift")
            }
            if let reason = service.unjailedLogin {
                return Finding(
                    .warning, .loginWithoutJail, subject: service.name.rawValue,
                    message: "its login is reachable on \(lan) with no fail2ban jail: \(reason)",
                    fix: "keep LAN_IP on a trusted network, or put the service behind an authenticating proxy")
            }
            return nil
        }
    }
}
