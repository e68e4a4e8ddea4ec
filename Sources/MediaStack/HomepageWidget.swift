/// The Homepage service widget of a service: its type, the setting that holds its API key and the fields it shows.
/// The key reaches Homepage as a `HOMEPAGE_VAR_<SETTING>` environment variable and is written into
/// `homepage/services.yaml` only as `{{HOMEPAGE_VAR_<SETTING>}}`, which Homepage substitutes when it loads the file.
public struct HomepageWidget: Hashable, Sendable {
    /// Homepage's widget type, e.g. `sonarr`.
    public let type: String
    /// The settings key of the API key or token (`key:`): the service's `apiKey`, set by `Service`.
    public internal(set) var keySetting: String?
    /// The fields shown, in order; empty for Homepage's defaults.
    public let fields: [String]
    /// `enableBlocks: true`: the Jellyfin widget draws its count blocks (`fields`) only with it; it defaults to
    /// false (gethomepage/homepage v1.12.3 src/widgets/jellyfin/component.jsx, docs/widgets/services/jellyfin.md).
    public let enableBlocks: Bool

    public init(_ type: String, fields: [String] = [], enableBlocks: Bool = false) {
        self.type = type
        self.keySetting = nil
        self.fields = fields
        self.enableBlocks = enableBlocks
    }

    /// Every settings key the widget reads.
    public var settingKeys: [String] { keySetting.map { [$0] } ?? [] }

    /// `HOMEPAGE_VAR_<KEY>`: the environment variable Homepage substitutes for a setting.
    public static func variable(for setting: String) -> String { "HOMEPAGE_VAR_\(setting)" }
}
