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

    /// Whether the file itself sets `key` (not just the catalog default).
    public func isDefinedInFile(_ key: String) -> Bool { file[key] != nil }

    /// Services named in `DISABLED_SERVICES`.
    public let disabledServices: Set<ServiceName>

    /// The effective host port for a published-port setting.
    public func hostPort(for port: PublishedPort) -> Port {
        values[port.settingKey].flatMap(Int.init).flatMap(Port.init) ?? port.hostPort
    }

    /// Parses and validates `text`, reporting syntax and value problems of every line together.
    public static func parse(_ text: String, path: String) throws(SettingsError) -> Settings {
        let (file, syntaxIssues) = EnvFile.parseCollectingIssues(text, path: path)
        let valueIssues: [SettingsIssue]
        do {
            let settings = try Settings(file: file)
            if syntaxIssues.isEmpty { return settings }
            valueIssues = []
        } catch {
            valueIssues = error.issues
        }
        throw SettingsError((syntaxIssues + valueIssues).sorted { ($0.line ?? 0) < ($1.line ?? 0) })
    }

    /// Validates `file` against the definitions; every problem is collected before throwing.
    public init(
        file: EnvFile, definitions: [SettingDefinition] = SettingsCatalog.definitions(),
        services: [Service] = Catalog.services
    ) throws(SettingsError) {
        var issues: [SettingsIssue] = []
        var values: [String: String] = [:]
        for definition in definitions { values[definition.key] = definition.defaultValue }
        for entry in file.entries { values[entry.key] = entry.value }

        var disabled: Set<ServiceName> = []
        for definition in definitions {
            guard let entry = file.entries.first(where: { $0.key == definition.key }) else { continue }
            func issue(_ message: String, _ fix: String) {
                issues.append(
                    SettingsIssue(file: file.path, line: entry.line, key: entry.key, message: message, fix: fix))
            }
            let value = entry.value
            if value.isEmpty {
                if !definition.mayBeEmpty {
                    issue("\(definition.key) is empty", "set it, e.g. \(definition.key)=\(definition.defaultValue)")
                }
                continue
            }
            switch definition.kind {
            case .numericID:
                if UInt32(value) == nil {
                    issue(
                        "\(definition.key)=\(value) is not a numeric id",
                        "use a number such as \(definition.defaultValue) (`id -u` / `id -g` print yours)")
                }
            case .umask:
                let octal = value.allSatisfy { ("0"..."7").contains($0) }
                if !octal || !(3...4).contains(value.count) {
                    issue("UMASK=\(value) is not three or four octal digits", "use 002 (group-writable) or 022")
                }
            case .timeZone:
                if !Self.isPlausibleTimeZone(value) {
                    issue(
                        "TZ=\(value) is not a time zone name",
                        "use an IANA name such as Europe/Berlin or Etc/UTC (`timedatectl list-timezones`)")
                }
            case .ipAddress:
                if value == "0.0.0.0" || value == "::" {
                    issue(
                        "\(definition.key)=\(value) publishes every port on every interface",
                        "use this server's LAN address (e.g. 192.168.1.10) or 127.0.0.1")
                } else if !Self.isIPAddress(value) {
                    issue("\(definition.key)=\(value) is not an IP address", "use an address such as 192.168.1.10")
                }
            case .port:
                if let number = Int(value), Port(number) != nil {
                    break
                }
                issue(
                    "\(definition.key)=\(value) is not a port number in 1-65535",
                    "use a free port, e.g. \(definition.defaultValue)")
            case .absolutePath, .optionalAbsolutePath:
                if !value.hasPrefix("/") {
                    issue(
                        "\(definition.key)=\(value) is a relative path",
                        "use an absolute path such as \(definition.defaultValue); Compose would resolve a relative"
                            + " one against the repository, not your disks")
                }
            case .serviceList:
                for item in value.split(separator: ",").map({ String($0.trimmingWhitespace()) }) where !item.isEmpty {
                    guard let service = services.first(where: { $0.name.rawValue == item }) else {
                        let known = services.filter(\.optional).map(\.name.rawValue).joined(separator: ", ")
                        issue("\(definition.key) names unknown service '\(item)'", "use names from: \(known)")
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
                        "\(definition.key)=\(value) is not a six-field cron expression",
                        "write seconds first, e.g. \"0 0 4 * * *\" for 04:00 daily")
                }
            case .oneOf(let choices):
                if !choices.contains(value) {
                    issue(
                        "\(definition.key)=\(value) is not one of \(choices.joined(separator: ", "))",
                        "use one of them, spelt exactly, e.g. \(definition.key)=\(definition.defaultValue)")
                }
            case .secret, .text:
                break
            }
        }
        if !issues.isEmpty { throw SettingsError(issues) }
        self.source = file.path
        self.file = file
        self.definitions = definitions
        self.values = values
        self.disabledServices = disabled
    }

    static func isPlausibleTimeZone(_ value: String) -> Bool {
        guard value.first?.isLetter == true else { return false }
        return value.allSatisfy { $0.isLetter || $0.isNumber || "/_-+".contains($0) }
    }

    static func isIPAddress(_ value: String) -> Bool {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4 {
            return parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isNumber) && (Int(part) ?? 256) <= 255
            }
        }
        guard value.contains(":") else { return false }
        return value.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } && value.count <= 45
    }
}
