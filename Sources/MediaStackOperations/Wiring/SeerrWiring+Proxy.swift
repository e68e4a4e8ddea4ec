import Foundation
import MediaStack

/// Behind the front door, a Seerr instance trusts the `X-Forwarded-For` Caddy sends: its log (the `seerr` fail2ban
/// jail) and its sign-in records then name each client, not Caddy's address, which fail2ban ignores. Only ever
/// turned on, and only while the front door is on: a value a person set is never turned off.
///
/// Behaviour at this boundary, from seerr-team/seerr at v3.1.0: the setting is `network.trustProxy` (default false,
/// `server/lib/settings/index.ts` `NetworkSettings`; the settings migration
/// `server/lib/settings/migrations/0005_migrate_network_settings.ts` moved it out of `main`). `GET
/// /api/v1/settings/network` answers it and `POST /api/v1/settings/network` merges the body into it (lodash `merge`)
/// and answers the result (`server/routes/settings/index.ts`), behind `isAuthenticated(ADMIN)`, so both answer 403
/// until someone has signed in (`server/routes/index.ts`); the body is validated against `NetworkSettings` of
/// `seerr-api.yml` (`express-openapi-validator`, `server/index.ts`). Express reads it once, at start
/// (`server/index.ts` `server.enable('trust proxy')`); until Seerr restarts, `GET /api/v1/status` answers
/// `restartRequired: true` (`server/utils/restartFlag.ts`), and `mediaserver up` restarts it.
public struct SeerrProxyTrustWiring: AppWiring {
    public let app: ServiceName
    public let base: URL
    public let apiKey: String
    public let keySetting: String

    /// The kind of the one action, which `mediaserver up` looks for to restart the app once it is done.
    public static let kind = "proxy trust"
    static let path = "/api/v1/settings/network"
    static let key = "X-Forwarded-For from Caddy"

    /// After Seerr's own wiring (whichever wave it has: Jellyseerr's follows Jellyfin's, Overseerr's Plex's
    /// libraries), whose sign-in makes the settings routes answer.
    public var followsTheAppsOtherSteps: Bool { true }

    public init(app: ServiceName, base: URL, apiKey: String, keySetting: String) {
        self.app = app
        self.base = base
        self.apiKey = apiKey
        self.keySetting = keySetting
    }

    public func plan(_ context: WiringContext) async throws(WiringFailure) -> [WiringAction] {
        let response = try await context.call(
            app, at: base, WiringRequest("GET", Self.path, headers: ["X-Api-Key": apiKey]), expecting: [200, 403],
            keySetting: keySetting, secrets: [apiKey])
        guard response.status == 200 else {
            return [
                WiringAction(
                    app: app, kind: Self.kind, key: Self.key,
                    change: .needsPerson(
                        "waits for the first sign-in to \(app) (its settings answer only then); then run"
                            + " `mediaserver up`"))
            ]
        }
        let trusted = response.json?["trustProxy"]?.bool == true
        return [WiringAction(app: app, kind: Self.kind, key: Self.key, change: trusted ? .unchanged : .create)]
    }

    public func apply(_ action: WiringAction, _ context: WiringContext) async throws(WiringFailure) {
        guard action.kind == Self.kind, action.change == .create else { return }
        let request = WiringRequest("POST", Self.path, headers: ["X-Api-Key": apiKey], body: ["trustProxy": true])
        let response = try await context.call(
            app, at: base, request, keySetting: keySetting, secrets: [apiKey])
        guard response.json?["trustProxy"]?.bool == true else {
            throw WiringFailure(
                app: app, call: request.call, message: "the answer does not hold trustProxy: true",
                fix: "turn on Settings → Network → Enable Proxy Support in \(app)'s web UI, then restart it")
        }
    }
}

extension WiringTargets {
    /// One ``SeerrProxyTrustWiring`` per Seerr instance of `apps`, while the front door (and its Caddy) is on.
    func seerrProxyTrust(_ apps: [any AppWiring]) -> [any AppWiring] {
        guard FrontDoor.hasNetwork(stack.settings) else { return [] }
        return apps.compactMap { wiring in
            guard let seerr = wiring as? SeerrWiring else { return nil }
            return SeerrProxyTrustWiring(
                app: seerr.app, base: seerr.base, apiKey: seerr.apiKey, keySetting: seerr.keySetting)
        }
    }
}
