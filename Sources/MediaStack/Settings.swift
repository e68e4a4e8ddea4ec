import Foundation

/// The validated settings of one deployment: catalog defaults overlaid with the values of a `.env` file.
public struct Settings: Hashable, Sendable {
    /// The file the values came from (for messages).
    public let source: String
    /// The parsed file, for line numbers and "defined or not" questions.
    public let file: EnvFile
    public let definitions: [SettingDefinition]
    private let values: [String: String]

    /// The effective value of `key`: the file's, else the catalog default.
    public subscript(key: String) -> String? { values[key] }

    /// The effective value of a setting the code reads by name: the file's, else the catalog default.
    public subscript(key: SettingKey) -> String { values[key.rawValue] ?? "" }

    /// A numeric id setting (PUID, PGID, RENDER_GID); validation has made sure it parses.
    public func numericID(_ key: SettingKey) -> UInt32 { UInt32(self[key]) ?? 0 }

    /// The image `service` runs: its declared repository with the tag of its `<SERVICE>_IMAGE_TAG` setting, else the
    /// catalog's pin.
    public func image(of service: Service) -> ImageReference {
        guard let tag = values[service.imageTagSetting], !tag.isEmpty else { return service.image }
        return ImageReference(service.image.repository, tag: tag, scheme: service.image.scheme)
    }

    /// Whether the file itself sets `key` (not just the catalog default).
    public func isDefinedInFile(_ key: String) -> Bool { file[key] != nil }

    /// Services named in `DISABLED_SERVICES`.
    public let disabledServices: Set<ServiceName>

    /// The effective host port for a published-port setting.
    public func hostPort(for port: PublishedPort) -> Port {
        values[port.settingKey].flatMap(Int.init).flatMap(Port.init) ?? port.hostPort
    }

    /// Parses and validates `text`, reporting syntax and value problems of every line together.
    ///
    /// `environment` is what Compose would see: a variable in a value is looked up there first.
    public static func parse(
        _ text: String, path: String, environment: [String: String] = [:]
    ) throws(SettingsError) -> Settings {
        try validated(EnvFile.parseCollectingIssues(text, path: path, environment: environment))
    }

    /// Parses and validates raw bytes; a line that is not UTF-8 is reported with its number.
    public static func parse(
        bytes: [UInt8], path: String, environment: [String: String] = [:]
    ) throws(SettingsError) -> Settings {
        try validated(EnvFile.parseCollectingIssues(bytes: bytes, path: path, environment: environment))
    }

    private static func validated(_ parsed: (EnvFile, [SettingsIssue])) throws(SettingsError) -> Settings {
        let (file, syntaxIssues) = parsed
        let valueIssues = Self.issues(of: file, definitions: SettingsCatalog.definitions(), services: Catalog.services)
        let issues = syntaxIssues + valueIssues.issues
        if !issues.isEmpty { throw SettingsError(issues.sorted { ($0.line ?? 0) < ($1.line ?? 0) }) }
        return try Settings(file: file)
    }

    /// Validates `file` against the definitions; every problem is collected before throwing.
    public init(
        file: EnvFile, definitions: [SettingDefinition] = SettingsCatalog.definitions(),
        services: [Service] = Catalog.services
    ) throws(SettingsError) {
        let checked = Self.issues(of: file, definitions: definitions, services: services)
        if !checked.issues.isEmpty { throw SettingsError(checked.issues) }
        var values: [String: String] = [:]
        for definition in definitions { values[definition.key] = definition.defaultValue }
        for entry in file.entries { values[entry.key] = entry.value }
        self.source = file.path
        self.file = file
        self.definitions = definitions
        self.values = values
        self.disabledServices = checked.disabled
    }

    /// The problems of `value` as the value of `key` (empty when it is fine), as `check` would report them; for
    /// an answer typed at a prompt.
    public static func problems(of value: String, for key: String, path: String = ".env") -> [SettingsIssue] {
        let file = EnvFile(path: path, entries: [EnvFile.Entry(key: key, value: value, line: 1)])
        return issues(of: file, definitions: SettingsCatalog.definitions(), services: Catalog.services).issues
    }

    /// The value problems of `file`, and the services it disables. A secret's value is never part of a message;
    /// any other value is shown cut to ``SettingsIssue/excerpt(_:limit:)``.
    static func issues(
        of file: EnvFile, definitions: [SettingDefinition], services: [Service]
    ) -> (issues: [SettingsIssue], disabled: Set<ServiceName>) {
        var issues: [SettingsIssue] = []
        var disabled: Set<ServiceName> = []
        for definition in definitions {
            guard let entry = file.entries.first(where: { $0.key == definition.key }) else { continue }
            func issue(_ message: String, _ fix: String) {
                issues.append(
                    SettingsIssue(file: file.path, line: entry.line, key: entry.key, message: message, fix: fix))
            }
            let value = entry.value
            let shown = "\(definition.key)=\(SettingsIssue.excerpt(value))"
            if let control = value.unicodeScalars.first(where: {
                $0.properties.generalCategory == .control && $0 != "\t"
            }) {
                // Never shown: the value may be a secret, and the character would garble the terminal.
                let what = control == "\n" || control == "\r" ? "a line break" : "a control character"
                let hex = String(control.value, radix: 16, uppercase: true)
                issue(
                    "the value of \(definition.key) holds \(what) (U+\(String(repeating: "0", count: 4 - hex.count) + hex))",
                    "remove it: no setting spans lines or holds control characters")
                continue
            }
            if value.isEmpty {
                if !definition.mayBeEmpty {
                    issue("\(definition.key) is empty", "set it, e.g. \(definition.key)=\(definition.defaultValue)")
                }
                continue
            }
            switch definition.kind {
            case .numericID:
                if !value.allSatisfy({ $0.isASCII && $0.isNumber }) || UInt32(value) == nil {
                    issue(
                        "\(shown) is not a numeric id",
                        "use digits only, such as \(definition.defaultValue) (`id -u` / `id -g` print yours)")
                }
            case .umask:
                let octal = value.allSatisfy { ("0"..."7").contains($0) }
                if !octal || !(3...4).contains(value.count) {
                    issue(
                        "UMASK=\(SettingsIssue.excerpt(value)) is not three or four octal digits",
                        "use 002 (group-writable) or 022")
                }
            case .timeZone:
                if !Self.isPlausibleTimeZone(value) || TimeZone(identifier: value) == nil {
                    issue(
                        "TZ=\(SettingsIssue.excerpt(value)) is not a time zone of the zone database",
                        "use an IANA name such as Europe/Berlin or Etc/UTC (`timedatectl list-timezones`)")
                }
            case .ipAddress:
                if value == "0.0.0.0" || value == "::" {
                    issue(
                        "\(shown) publishes every port on every interface",
                        "use this server's LAN address (e.g. 192.168.1.10) or 127.0.0.1")
                } else if !Self.isIPAddress(value) {
                    issue("\(shown) is not an IP address", "use an address such as 192.168.1.10")
                }
            case .ipv4Subnet:
                if FrontDoor.Subnet(value) == nil {
                    issue(
                        "\(shown) is not an IPv4 subnet with a prefix length of"
                            + " \(FrontDoor.Subnet.prefixLengths.lowerBound) to"
                            + " \(FrontDoor.Subnet.prefixLengths.upperBound) and its host bits zero",
                        "use a private range no other network here uses, such as \(FrontDoor.defaultSubnet)")
                }
            case .port:
                if value.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(value), Port(number) != nil {
                    break
                }
                issue(
                    "\(shown) is not a port number in 1-65535",
                    definition.defaultValue.isEmpty
                        ? "use a number in 1-65535, or leave \(definition.key) empty for the default"
                        : "use a free port, e.g. \(definition.defaultValue)")
            case .absolutePath, .optionalAbsolutePath:
                if !value.hasPrefix("/") {
                    issue(
                        "\(shown) is a relative path",
                        "use an absolute path such as \(definition.defaultValue); Compose would resolve a relative"
                            + " one against the repository, not your disks")
                } else if value.contains(":") {
                    issue(
                        "\(shown) holds a ':', which Compose reads as the end of the host path in a volume",
                        "use a path without ':' (rename the folder, or mount it elsewhere and use that path)")
                }
            case .serviceList:
                for item in value.split(separator: ",").map({ String($0.trimmingWhitespace()) }) where !item.isEmpty {
                    guard let service = services.first(where: { $0.name.rawValue == item }) else {
                        let known = services.filter(\.optional).map(\.name.rawValue).joined(separator: ", ")
                        issue(
                            "\(definition.key) names unknown service '\(SettingsIssue.excerpt(item, limit: 40))'",
                            "use names from: \(known)")
                        continue
                    }
                    if !service.optional {
                        issue("\(item) cannot be disabled", "remove \(item) from \(definition.key)")
                        continue
                    }
                    disabled.insert(service.name)
                }
            case .cronWithSeconds:
                if CronSchedule(value, withSeconds: true) == nil {
                    issue(
                        "\(shown) is not a six-field cron expression",
                        "write seconds first, e.g. \"0 0 4 * * *\" for 04:00 daily")
                }
            case .oneOf(let choices):
                if !choices.contains(value) {
                    issue(
                        "\(definition.key)=\(value) is not one of \(choices.joined(separator: ", "))",
                        "use one of them, spelt exactly, e.g. \(definition.key)="
                            + (definition.defaultValue.isEmpty ? choices.first ?? "" : definition.defaultValue))
                }
            case .seconds(let range):
                if !value.allSatisfy({ $0.isASCII && $0.isNumber }) || !range.contains(Int(value) ?? -1) {
                    issue(
                        "\(shown) is not a number of seconds in \(range.lowerBound)-\(range.upperBound)",
                        "use whole seconds, e.g. \(definition.key)=\(definition.defaultValue)")
                }
            case .imageTag(let repository, let scheme):
                if !scheme.accepts(value) {
                    issue(
                        "\(shown) is not a release tag of \(repository) (\(scheme))",
                        "use a tag `mediaserver upgrade --check` lists, or remove the line to use the catalog's pin")
                }
            case .hostName:
                if let problem = UsenetProvider.hostProblem(value) {
                    issue("\(shown) \(problem.message)", problem.fix)
                }
            case .count(let range):
                if !value.allSatisfy({ $0.isASCII && $0.isNumber }) || !range.contains(Int(value) ?? -1) {
                    issue(
                        "\(shown) is not a whole number in \(range.lowerBound)-\(range.upperBound)",
                        "use a number in that range, or leave it empty for the default")
                }
            case .secret, .text:
                break
            }
        }
        issues += UsenetProvider.issues(of: file)
        // The indexers' own keys are named by INDEXERS, not by a definition.
        issues += NewznabIndexer.parse(file).issues
        return (issues, disabled)
    }

    static func isPlausibleTimeZone(_ value: String) -> Bool {
        guard value.first?.isLetter == true else { return false }
        return value.allSatisfy { $0.isLetter || $0.isNumber || "/_-+".contains($0) }
    }

    static func isIPAddress(_ value: String) -> Bool {
        isIPv4(Substring(value)) || isIPv6(value)
    }

    static func isIPv4(_ value: Substring) -> Bool {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy { $0.isASCII && $0.isNumber }
                    && (Int(part) ?? 256) <= 255
            }
    }

    /// RFC 4291 text form: eight groups of 1-4 hex digits, one `::` for a run of zero groups, and optionally an
    /// IPv4 address in place of the last two groups.
    static func isIPv6(_ value: String) -> Bool {
        guard value.contains(":"), value.count <= 45 else { return false }
        let halves = value.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        var groups = 0
        for (index, half) in halves.enumerated() where !half.isEmpty {
            let parts = half.split(separator: ":", omittingEmptySubsequences: false)
            for (position, part) in parts.enumerated() {
                let isLast = index == halves.count - 1 && position == parts.count - 1
                if isLast && part.contains(".") {
                    guard isIPv4(part) else { return false }
                    groups += 2
                } else {
                    guard (1...4).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isHexDigit }) else {
                        return false
                    }
                    groups += 1
                }
            }
        }
        return halves.count == 2 ? groups <= 7 : groups == 8
    }
}
