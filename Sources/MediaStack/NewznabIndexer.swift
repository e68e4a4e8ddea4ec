/// A Usenet indexer speaking the Newznab API, as `.env` declares it for Prowlarr: `INDEXERS` lists the names, and
/// each name has its own keys, `INDEXER_<NAME>_URL`, `INDEXER_<NAME>_API_KEY` and optionally
/// `INDEXER_<NAME>_API_PATH`. `mediaserver wire` adds each to Prowlarr under its name.
///
/// One name list plus per-name keys reads better than numbered keys: the name says which site a key belongs to, and
/// removing one indexer renumbers nothing.
public struct NewznabIndexer: Sendable, Hashable {
    /// The name as written in `INDEXERS`; Prowlarr shows it and compares it without case.
    public let name: String
    /// The site's address, e.g. `https://api.nzbgeek.info` (Prowlarr's `baseUrl`).
    public let url: String
    /// The API's path under `url`, `/api` unless set (Prowlarr's `apiPath`).
    public let apiPath: String
    /// The user's key at the site (Prowlarr's `apiKey`); a secret, never shown.
    public let apiKey: String

    /// The API path Newznab sites use, and Prowlarr's default (Prowlarr/Prowlarr
    /// `src/NzbDrone.Core/Indexers/Definitions/Newznab/NewznabSettings.cs`: `ApiPath = "/api"`).
    public static let defaultAPIPath = "/api"

    public init(name: String, url: String, apiPath: String = NewznabIndexer.defaultAPIPath, apiKey: String) {
        self.name = name
        self.url = url
        self.apiPath = apiPath
        self.apiKey = apiKey
    }

    /// `INDEXER_<NAME>_`: the name upper-cased, every character but letters and digits as `_`.
    public static func keyPrefix(_ name: String) -> String {
        "INDEXER_" + String(name.uppercased().unicodeScalars.map { isASCIIAlphanumeric($0) ? Character($0) : "_" })
            + "_"
    }

    public var urlSetting: String { Self.keyPrefix(name) + "URL" }
    public var apiKeySetting: String { Self.keyPrefix(name) + "API_KEY" }
    public var apiPathSetting: String { Self.keyPrefix(name) + "API_PATH" }

    /// Whether `key` is an indexer's API key: a secret whatever the list says, so no message shows its value.
    public static func isAPIKeySetting(_ key: String) -> Bool {
        key.hasPrefix("INDEXER_") && key.hasSuffix("_API_KEY")
    }

    static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

extension NewznabIndexer {
    /// The indexers `file` declares and the problems of their settings, each naming the key and its fix. A key's
    /// value is never part of a message, and neither is a URL (one pasted with `?apikey=…` would hold the key).
    public static func parse(_ file: EnvFile) -> (indexers: [NewznabIndexer], issues: [SettingsIssue]) {
        let listKey = SettingKey.indexers.rawValue
        guard let list = file.entries.first(where: { $0.key == listKey }) else { return ([], []) }
        var indexers: [NewznabIndexer] = []
        var issues: [SettingsIssue] = []
        func issue(_ key: String, _ message: String, _ fix: String) {
            let line = file.line(of: key) ?? list.line
            issues.append(SettingsIssue(file: file.path, line: line, key: key, message: message, fix: fix))
        }
        var prefixes: [String: String] = [:]
        let names = list.value.split(separator: ",").map { String($0.trimmingWhitespace()) }.filter { !$0.isEmpty }
        for name in names {
            let valid =
                name.count <= 40 && name.unicodeScalars.first.map(isASCIIAlphanumeric) == true
                && name.unicodeScalars.allSatisfy { isASCIIAlphanumeric($0) || "._-".unicodeScalars.contains($0) }
            guard valid else {
                issue(
                    listKey,
                    "\(listKey) names '\(SettingsIssue.excerpt(name, limit: 40))', which is not an indexer name",
                    "use letters, digits, '.', '-' and '_' (at most 40, starting with a letter or digit), e.g."
                        + " \(listKey)=nzbgeek,drunkenslug")
                continue
            }
            let prefix = keyPrefix(name)
            if let other = prefixes[prefix] {
                issue(
                    listKey, "\(listKey) names '\(other)' and '\(name)', which share the keys \(prefix)…",
                    "give each indexer one name that differs in more than case or punctuation")
                continue
            }
            prefixes[prefix] = name
            let urlKey = prefix + "URL"
            let keyKey = prefix + "API_KEY"
            let pathKey = prefix + "API_PATH"
            var ok = true
            for key in [urlKey, keyKey, pathKey] {
                if let value = file[key],
                    value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
                {
                    issue(key, "the value of \(key) holds a control character or a line break", "write it on one line")
                    ok = false
                }
            }
            let url = file[urlKey] ?? ""
            if url.isEmpty {
                issue(
                    urlKey, "\(listKey) lists \(name), but \(urlKey) is not set",
                    "add \(urlKey)=https://… (the indexer's address, as on its API page, without /api)")
                ok = false
            } else if let problem = urlProblem(url) {
                issue(urlKey, "\(urlKey) \(problem.message)", problem.fix(urlKey, pathKey))
                ok = false
            }
            let apiKey = file[keyKey] ?? ""
            if apiKey.isEmpty || apiKey == "CHANGE_ME" {
                issue(
                    keyKey, "\(listKey) lists \(name), but \(keyKey) is not set",
                    "add \(keyKey)=… with the API key from your account page on the indexer's site")
                ok = false
            }
            let apiPath = file[pathKey].flatMap { $0.isEmpty ? nil : $0 } ?? defaultAPIPath
            if !apiPath.hasPrefix("/") || apiPath.contains("://") || apiPath.contains("?") {
                issue(
                    pathKey, "\(pathKey) is not a path such as /api",
                    "write the path alone, starting with /, or remove the line to use /api")
                ok = false
            }
            if ok { indexers.append(NewznabIndexer(name: name, url: url, apiPath: apiPath, apiKey: apiKey)) }
        }
        return (indexers, issues)
    }

    /// What is wrong with an indexer's URL for Prowlarr, which requires an absolute http(s) URL
    /// (`NewznabSettingsValidator`: `ValidRootUrl`, "must be valid URL that starts with http(s)://") and appends
    /// the API path itself (`NewznabCapabilitiesProvider`: `{BaseUrl}{ApiPath}?t=caps`).
    static func urlProblem(_ url: String) -> (message: String, fix: (String, String) -> String)? {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            return (
                "does not start with http:// or https://",
                { key, _ in "write the full address, e.g. \(key)=https://api.nzbgeek.info" }
            )
        }
        let rest = url.drop { $0 != ":" }.dropFirst(3)
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if host.isEmpty || host.contains("@") || host.contains(" ") {
            return (
                "has no valid host name", { key, _ in "write the address alone, e.g. \(key)=https://api.nzbgeek.info" }
            )
        }
        if url.contains("?") || url.contains("#") {
            return (
                "holds a query string (?…), where an API key may have been pasted",
                { key, _ in
                    "write the address alone in \(key) and the key in \(key.dropLast(3))API_KEY"
                }
            )
        }
        var path = rest.dropFirst(host.count)
        while path.hasSuffix("/") { path = path.dropLast() }
        if path.lowercased().hasSuffix("/api") {
            return (
                "ends in /api, which Prowlarr adds itself",
                { key, pathKey in "remove /api from \(key) (\(pathKey) sets another API path, default /api)" }
            )
        }
        return nil
    }
}
