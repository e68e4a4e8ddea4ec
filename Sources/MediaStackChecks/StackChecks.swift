import MediaStack
import MediaStackRendering

/// Checks of the model and the settings, with no I/O: names, ports, dependencies, variables, healthchecks.
public struct StackChecks: Sendable {
    public init() {}

    public func run(_ stack: Stack, rendered: [RenderedFile]) -> [Finding] {
        duplicateNames(stack.catalog) + portClashes(stack) + dependencies(stack) + healthchecks(stack)
            + pinnedImages(stack) + undefinedVariables(stack, rendered) + unknownSettings(stack)
            + alertDelivery(stack) + FrontDoorChecks().run(stack) + chosenTags(stack)
    }

    /// A tag `mediaserver upgrade` stored that is older than the catalog's pin (a newer version of the project moved
    /// the pin on): the stored tag still wins, so the service stays behind until the user decides.
    func chosenTags(_ stack: Stack) -> [Finding] {
        stack.catalog.compactMap { service in
            let key = service.imageTagSetting
            guard stack.settings.isDefinedInFile(key), let chosen = stack.settings[key],
                let tag = ReleaseVersion(tag: chosen), let pin = ReleaseVersion(tag: service.image.tag),
                pin.isNewer(than: tag)
            else { return nil }
            return Finding(
                .warning, .imageTagBehindPin, subject: key,
                message: "\(key)=\(chosen) in \(stack.settings.source) keeps \(service.name) on a tag older than the"
                    + " catalog's pin \(service.image.tag)",
                fix:
                    "`mediaserver upgrade \(service.name) --to \(service.image.tag)` (with a backup and a rollback), or"
                    + " delete the line to follow the pin")
        }
    }

    /// E-mail alerts need a server and a sender besides the recipient, or Alertmanager refuses its config.
    func alertDelivery(_ stack: Stack) -> [Finding] {
        guard stack.isEnabled(.alertmanager), !stack.settings[.alertEmailTo].isEmpty else { return [] }
        return [SettingKey.alertSMTPSmarthost, .alertSMTPFrom].filter { stack.settings[$0].isEmpty }.map { key in
            Finding(
                .error, .alertEmailIncomplete, subject: key.rawValue,
                message: "ALERT_EMAIL_TO is set but \(key) is empty, so Alertmanager could not send e-mail",
                fix: "set \(key) in \(stack.settings.source) (e.g. smtp.example.com:587 / alerts@example.com),"
                    + " or empty ALERT_EMAIL_TO")
        }
    }

    func duplicateNames(_ catalog: [Service]) -> [Finding] {
        var findings: [Finding] = []
        for (label, key) in [("service name", \Service.name.rawValue), ("container name", \Service.containerName)] {
            let groups = Dictionary(grouping: catalog, by: { $0[keyPath: key] })
            for (name, services) in groups.sorted(by: { $0.key < $1.key }) where services.count > 1 {
                findings.append(
                    Finding(
                        .error, .duplicateName, subject: name,
                        message: "\(services.count) catalog entries share the \(label) '\(name)'",
                        fix: "give each service its own \(label) in Sources/MediaStack/Catalog.swift"))
            }
        }
        let keys = Dictionary(grouping: SettingsCatalog.definitions(for: catalog), by: \.key)
        for (key, definitions) in keys.sorted(by: { $0.key < $1.key }) where definitions.count > 1 {
            findings.append(
                Finding(
                    .error, .duplicateName, subject: key,
                    message: "the setting \(key) is declared \(definitions.count) times",
                    fix: "give each published port its own settingKey"))
        }
        return findings
    }

    /// Every host port of enabled services: published ones (on LAN_IP) and those host-network services bind.
    func portClashes(_ stack: Stack) -> [Finding] {
        struct Use {
            let service: ServiceName
            let what: String
        }
        var uses: [String: [Use]] = [:]
        for service in stack.services {
            for port in service.ports {
                uses["\(port.hostPort)/\(port.proto.rawValue)", default: []].append(
                    Use(service: service.name, what: "published from container port \(port.containerPort)"))
            }
            for port in service.hostPorts {
                uses["\(port.port)/\(port.proto.rawValue)", default: []].append(
                    Use(service: service.name, what: "\(port.purpose) on the host network"))
            }
        }
        return uses.sorted { $0.key < $1.key }.compactMap { key, users in
            guard Set(users.map(\.service)).count > 1 else { return nil }
            let names = users.map { "\($0.service) (\($0.what))" }.joined(separator: ", ")
            let settable = users.compactMap { use in
                stack.service(use.service)?.ports.first { "\($0.hostPort)/\($0.proto.rawValue)" == key }?.settingKey
            }
            let fix =
                settable.isEmpty
                ? "disable one of them in DISABLED_SERVICES"
                : "set another port in .env (\(settable.joined(separator: " or "))) and run `mediaserver render`"
            return Finding(
                .error, .portClash, subject: "port \(key)", message: "taken twice on the host: \(names)", fix: fix)
        }
    }

    func dependencies(_ stack: Stack) -> [Finding] {
        stack.services.flatMap { service in
            Set(service.requires + service.dependsOn).sorted().compactMap { needed -> Finding? in
                guard !stack.isEnabled(needed) else { return nil }
                let known = stack.catalog.contains { $0.name == needed }
                return Finding(
                    .error, .disabledDependency, subject: service.name.rawValue,
                    message: known
                        ? "\(service.name) needs \(needed), which DISABLED_SERVICES turns off"
                        : "\(service.name) needs \(needed), which is not in the catalog",
                    fix: known
                        ? "add \(service.name) to DISABLED_SERVICES too, or remove \(needed) from it"
                        : "declare \(needed) in Sources/MediaStack/Catalog.swift or drop the dependency")
            }
        }
    }

    func healthchecks(_ stack: Stack) -> [Finding] {
        stack.catalog.compactMap { service in
            guard service.isLongRunning, service.health == nil else { return nil }
            return Finding(
                .error, .missingHealthcheck, subject: service.name.rawValue,
                message: "a long-running service has no health probe",
                fix: "give it `health:` in the catalog (a path its image can probe, or a command)")
        }
    }

    func pinnedImages(_ stack: Stack) -> [Finding] {
        stack.catalog.compactMap { service in
            guard service.image.tag == "latest" || service.image.tag.isEmpty else { return nil }
            return Finding(
                .error, .unpinnedImage, subject: service.name.rawValue,
                message: "image \(service.image) is not pinned to a version",
                fix: "pin a released tag in the catalog; let Watchtower or a deliberate upgrade move it")
        }
    }

    /// A `${VAR}` without a default in a rendered file must be set in the settings file, or Compose substitutes an
    /// empty string with only a warning.
    func undefinedVariables(_ stack: Stack, _ rendered: [RenderedFile]) -> [Finding] {
        var firstUse: [String: String] = [:]
        // Only Compose files are interpolated; other files (fail2ban filters) may hold `${…}` of their own.
        let composeFiles = Set(StackID.allCases.map(\.composeFile))
        for file in rendered where composeFiles.contains(file.path) {
            for reference in VariableReference.all(in: file.contents) where !reference.hasDefault {
                if firstUse[reference.name] == nil { firstUse[reference.name] = file.path }
            }
        }
        let known = Set(stack.settings.definitions.map(\.key)).union(stack.settings.indexerKeys)
        return firstUse.sorted { $0.key < $1.key }.compactMap { name, path in
            if !known.contains(name) {
                return Finding(
                    .error, .undeclaredVariable, subject: name,
                    message: "\(path) uses ${\(name)}, which no setting declares",
                    fix: "declare it where it belongs, so .env.example documents it: a service's `apiKey:` in"
                        + " Sources/MediaStack/Catalog.swift, or a setting in Sources/MediaStack/SettingsCatalog.swift")
            }
            guard !stack.settings.isDefinedInFile(name) else { return nil }
            let optional = stack.settings.definitions.first { $0.key == name }?.mayBeEmpty ?? false
            return Finding(
                optional ? .warning : .error, .undefinedVariable, subject: name,
                message: "\(path) uses ${\(name)}, but \(stack.settings.source) does not set it;"
                    + " Compose would substitute an empty string",
                fix: "add \(name)=… to \(stack.settings.source) (see .env.example for the default)")
        }
    }

    func unknownSettings(_ stack: Stack) -> [Finding] {
        let known = Set(stack.settings.definitions.map(\.key)).union(stack.settings.indexerKeys)
        return stack.settings.file.entries.filter { !known.contains($0.key) && !$0.key.hasPrefix("COMPOSE_") }.map {
            Finding(
                .warning, .unknownSetting, subject: $0.key,
                message: "\(stack.settings.source):\($0.line) sets \($0.key), which no rendered file uses",
                fix: "check the spelling against .env.example, or remove the line")
        }
    }
}
