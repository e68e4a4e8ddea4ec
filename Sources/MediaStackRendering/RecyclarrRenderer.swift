import Foundation
import MediaStack

/// Renders `recyclarr/recyclarr.yml` (Recyclarr v8): one instance per enabled Sonarr/Radarr, API keys read from the
/// environment the compose file hands the container, so no key is ever written to disk.
public struct RecyclarrRenderer: Sendable {
    public static let path = "recyclarr/recyclarr.yml"

    public init() {}

    public func render(_ stack: Stack) throws -> RenderedFile? {
        guard stack.isEnabled(.recyclarr) else { return nil }
        var root: [(String, YAMLValue)] = []
        if let sonarr = stack.service(.sonarr), let port = sonarr.port?.container {
            root.append(
                (
                    "sonarr",
                    .map([
                        (
                            "series",
                            instance(
                                url: "http://sonarr:\(port)", keyVariable: "SONARR_API_KEY",
                                templates: [
                                    "sonarr-quality-definition-series",
                                    "sonarr-v4-quality-profile-web-1080p",
                                    "sonarr-v4-custom-formats-web-1080p",
                                ])
                        )
                    ])
                ))
        }
        if let radarr = stack.service(.radarr), let port = radarr.port?.container {
            root.append(
                (
                    "radarr",
                    .map([
                        (
                            "movies",
                            instance(
                                url: "http://radarr:\(port)", keyVariable: "RADARR_API_KEY",
                                templates: [
                                    "radarr-quality-definition-movie",
                                    "radarr-quality-profile-hd-bluray-web",
                                    "radarr-custom-formats-hd-bluray-web",
                                ])
                        )
                    ])
                ))
        }
        guard !root.isEmpty else { return nil }
        var yaml = try YAMLValue.map(root).yaml(
            header: RenderHeader.lines + [
                "yaml-language-server: $schema=https://schemas.recyclarr.dev/latest/config-schema.json",
                "Run: docker compose run --rm recyclarr sync",
            ])
        // Yams cannot emit local tags on plain scalars; the env lookups are written as Recyclarr expects them.
        yaml = yaml.replacingOccurrences(of: "api_key: ENV_SONARR_API_KEY", with: "api_key: !env_var SONARR_API_KEY")
        yaml = yaml.replacingOccurrences(of: "api_key: ENV_RADARR_API_KEY", with: "api_key: !env_var RADARR_API_KEY")
        return RenderedFile(path: Self.path, contents: yaml)
    }

    private func instance(url: String, keyVariable: String, templates: [String]) -> YAMLValue {
        .map([
            ("base_url", .string(url)),
            ("api_key", .string("ENV_\(keyVariable)")),
            ("include", .list(templates.map { .map([("template", .string($0))]) })),
        ])
    }
}
