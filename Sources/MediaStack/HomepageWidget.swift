/// The Homepage service widget of a service: its type, the settings that hold its credentials and the fields it
/// shows. Credentials reach Homepage as `HOMEPAGE_VAR_<SETTING>` environment variables and are written into
/// `homepage/services.yaml` only as `{{HOMEPAGE_VAR_<SETTING>}}`, which Homepage substitutes when it loads the file.
public struct HomepageWidget: Hashable, Sendable {
    /// Homepage's widget type, e.g. `sonarr`.
    public let type: String
    /// The settings key of the API key or token (`key:`): the service's `apiKey`, set by `Service`.
    public internal(set) var keySetting: String?
    /// The settings keys of a user name and password (`username:`/`password:`), for widgets that log in.
    public let loginSettings: (user: String, password: String)?
    /// The fields shown, in order; empty for Homepage's defaults.
    public let fields: [String]
    /// Homepage's widget API `version`, when the pinned app needs a non-default one.
    public let version: Int?

    public init(
        _ type: String, login: (user: String, password: String)? = nil, fields: [String] = [], version: Int? = nil
    ) {
        self.type = type
        self.keySetting = nil
        self.loginSettings = login
        self.fields = fields
        self.version = version
    }

    /// Every settings key the widget reads, in the order the file uses them.
    public var settingKeys: [String] {
        (keySetting.map { [$0] } ?? []) + (loginSettings.map { [$0.user, $0.password] } ?? [])
    }

    /// `HOMEPAGE_VAR_<KEY>`: the environment variable Homepage substitutes for a setting.
    public static func variable(for setting: String) -> String { "HOMEPAGE_VAR_\(setting)" }

    public static func == (lhs: HomepageWidget, rhs: HomepageWidget) -> Bool {
        lhs.type == rhs.type && lhs.keySetting == rhs.keySetting && lhs.loginSettings?.user == rhs.loginSettings?.user
            && lhs.loginSettings?.password == rhs.loginSettings?.password && lhs.fields == rhs.fields
            && lhs.version == rhs.version
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(keySetting)
        hasher.combine(loginSettings?.user)
        hasher.combine(loginSettings?.password)
        hasher.combine(fields)
        hasher.combine(version)
    }
}
