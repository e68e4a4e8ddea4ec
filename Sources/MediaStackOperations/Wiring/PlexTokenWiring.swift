import Foundation
import MediaStack

/// Plex's token for Homepage, Tautulli and Overseerr: read from `PlexOnlineToken` in Plex's Preferences.xml once
/// the server is claimed, and stored in `.env` as PLEX_TOKEN. An unclaimed server gets the exact steps to claim it.
///
/// The linuxserver image claims the server at container start when PLEX_CLAIM is set and Preferences.xml has no
/// PlexOnlineToken yet (linuxserver/docker-plex `root/etc/s6-overlay/s6-rc.d/init-plex-claim/run`, tag
/// 1.43.3.10828-00f62d37d-ls315); a claim token is valid for 4 minutes.
public struct PlexTokenWiring: AppWiring {
    public static let tokenSetting = "PLEX_TOKEN"
    static let kind = "token"
    static let name = "PLEX_TOKEN in .env"

    public let app: ServiceName = "plex"
    /// Preferences.xml on this host.
    public let preferences: URL

    public init(preferences: URL) { self.preferences = preferences }

    /// Preferences.xml under CONFIG_ROOT, where the catalog mounts Plex's data.
    public static func preferences(configRoot: String) -> URL {
        URL(fileURLWithPath: configRoot).appendingPathComponent("plex").appendingPathComponent(Catalog.plexData)
            .appendingPathComponent("Preferences.xml")
    }

    /// The steps to claim an unclaimed server.
    public static let claimSteps =
        "Plex is not claimed yet: sign in at https://plex.tv/claim, copy the claim token (valid for 4 minutes) into"
        + " .env as PLEX_CLAIM=claim-…, run `docker compose up -d --force-recreate plex`, then `mediaserver wire`"

    public func plan(_ context: WiringContext) async throws(WiringFailure) -> [WiringAction] {
        if let stored = context.secrets[Self.tokenSetting] {
            // PLEX_TOKEN stands for the server's own token. Another one in Preferences.xml means the server was
            // claimed again (a new claim gives a new PlexOnlineToken): the old one no longer opens this server for
            // Homepage and Tautulli. A file that cannot be read now leaves the stored token as it is.
            guard let current = (try? readToken()) ?? nil, current != stored else {
                return [WiringAction(app: app, kind: Self.kind, key: Self.name, change: .unchanged)]
            }
            return [WiringAction(app: app, kind: Self.kind, key: Self.name, change: .update(drifted: [Self.drift]))]
        }
        let token = try readToken()
        return [
            WiringAction(
                app: app, kind: Self.kind, key: Self.name,
                change: token == nil ? .needsPerson(Self.claimSteps) : .create)
        ]
    }

    /// What drifted when the server's token changed.
    static let drift = "Plex's PlexOnlineToken"

    public func apply(_ action: WiringAction, _ context: WiringContext) async throws(WiringFailure) {
        guard action.changesSomething, let token = try readToken() else { return }
        try context.store(Self.tokenSetting, token, for: app)
    }

    /// The token, nil when the file or the attribute is absent (not claimed, or Plex never started).
    func readToken() throws(WiringFailure) -> String? {
        guard FileManager.default.fileExists(atPath: preferences.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: preferences.path) else {
            throw WiringFailure(
                app: app, call: "read \(preferences.path)", message: "the file is not readable by this user",
                fix: "run mediaserver as the owner of CONFIG_ROOT (PUID) or with sudo")
        }
        return Self.token(in: String(decoding: data, as: UTF8.self))
    }

    /// `PlexOnlineToken="…"` of the `<Preferences …/>` element; tokens are letters, digits, `-` and `_`, so no XML
    /// entity can occur in one.
    static func token(in xml: String) -> String? {
        guard let start = xml.range(of: " PlexOnlineToken=\"") else { return nil }
        let rest = xml[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        let token = String(rest[..<end])
        return token.isEmpty ? nil : token
    }
}
