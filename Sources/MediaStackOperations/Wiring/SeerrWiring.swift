import Foundation
import MediaStack

/// Jellyseerr (a Seerr instance for Jellyfin users): signed in to Jellyfin as its administrator (which makes that
/// account Seerr's admin and Jellyfin its media server), Jellyfin's Movies and Shows libraries synced and enabled,
/// Sonarr and Radarr added as servers, and the setup marked complete.
///
/// Behaviour at this boundary, from seerr-team/seerr at v3.1.0 (`seerr-api.yml`): `GET /api/v1/settings/public` is
/// anonymous (`initialized`); `X-Api-Key` acts as user 1, who exists only after the first sign-in, so until then
/// every `/api/v1/settings/*` call answers 403 (`server/middleware/auth.ts`, `server/routes/index.ts`);
/// `POST /api/v1/auth/jellyfin` (`username`, `password`, `hostname`, `port`, `useSsl`, `urlBase`, `serverType` 2 for
/// Jellyfin) signs in to Jellyfin and makes its administrator user 1 (`server/routes/auth.ts`,
/// `server/constants/server.ts`); `GET /api/v1/settings/jellyfin/library?sync=true` reads Jellyfin's libraries and
/// `?enable=id,id` enables exactly those (`server/routes/settings/index.ts`); `POST /api/v1/settings/sonarr` and
/// `/radarr` append a server and answer 201, `PUT …/{id}` replaces one (`server/routes/settings/sonarr.ts`,
/// `radarr.ts`); `POST /api/v1/settings/initialize` completes the setup.
public struct SeerrWiring: AppWiring {
    /// An *arr server as Seerr should know it, and where this host asks the app for its quality profiles.
    public struct ArrServer: Sendable, Hashable {
        public let kind: String  // "sonarr" or "radarr"
        public let name: String
        public let hostname: String
        public let port: Int
        public let apiKey: String
        public let rootFolder: String
        /// This host's address of the app, to read its quality profiles (`GET /api/v3/qualityprofile`).
        public let base: URL
    }

    public let app: ServiceName
    public let base: URL
    public let apiKey: String
    public let keySetting: String
    /// Jellyfin on media_net, as Seerr reaches it; nil for an instance of Plex users (Overseerr), whose first
    /// sign-in goes through plex.tv (`server/routes/auth.ts` → `PlexTvAPI`) and so is left to a person.
    public let jellyfinHost: String?
    public let jellyfinPort: Int
    public let libraries: [String]
    public let servers: [ArrServer]
    /// Plex as Overseerr reaches it, for an instance of Plex users; nil leaves the Plex server to a person.
    public let plex: PlexServer?

    /// After Jellyfin's own wiring: the sign-in needs the admin password and Jellyfin's libraries. Overseerr comes
    /// after Plex's libraries (wave 1), which it enables.
    public var wave: Int { jellyfinHost == nil ? 2 : 1 }

    public init(
        app: ServiceName, base: URL, apiKey: String, keySetting: String, jellyfinHost: String?, jellyfinPort: Int,
        libraries: [String], servers: [ArrServer], plex: PlexServer? = nil
    ) {
        self.app = app
        self.base = base
        self.apiKey = apiKey
        self.keySetting = keySetting
        self.jellyfinHost = jellyfinHost
        self.jellyfinPort = jellyfinPort
        self.libraries = libraries
        self.servers = servers
        self.plex = plex
    }

    static let signIn = WiringCollection(kind: "media server", path: "/api/v1/auth/jellyfin", matchField: "name")
    static let librarySync = WiringCollection(
        kind: "library sync", path: "/api/v1/settings/jellyfin/library", matchField: "name")
    static let setup = WiringCollection(kind: "setup", path: "/api/v1/settings/initialize", matchField: "name")
    static func collection(_ kind: String) -> WiringCollection {
        WiringCollection(
            kind: "\(kind == "sonarr" ? "Sonarr" : "Radarr") server", path: "/api/v1/settings/\(kind)",
            matchField: "name")
    }

    var headers: [String: String] { ["X-Api-Key": apiKey] }
    var secrets: [String] { [apiKey] + servers.map(\.apiKey) }

    func get(_ context: WiringContext, _ path: String, expecting: Set<Int>? = nil) async throws(WiringFailure)
        -> WiringResponse
    {
        try await context.call(
            app, at: base, WiringRequest("GET", path, headers: headers), expecting: expecting, keySetting: keySetting,
            secrets: secrets)
    }

    public func plan(_ context: WiringContext) async throws(WiringFailure) -> [WiringAction] {
        let publicSettings = try await get(context, "/api/v1/settings/public")
        let initialized = publicSettings.json?["initialized"]?.bool ?? false
        // 403 until someone signed in: the API key acts as user 1, who does not exist yet.
        let signedIn = try await get(context, "/api/v1/settings/main", expecting: [200, 403]).status == 200
        if jellyfinHost == nil {
            return try await planForPlex(context, signedIn: signedIn, initialized: initialized)
        }
        var actions = [
            WiringAction(
                app: app, kind: Self.signIn.kind, key: "Jellyfin", change: signedIn ? .unchanged : .create)
        ]
        var enabled: Set<String> = []
        var current: [WiringCollection: [CurrentObject]] = [:]
        if signedIn {
            let jellyfin = try await get(context, "/api/v1/settings/jellyfin")
            for library in jellyfin.json?["libraries"]?.array ?? [] where library["enabled"]?.bool == true {
                if let name = library["name"]?.string { enabled.insert(name) }
            }
            for server in servers where current[Self.collection(server.kind)] == nil {
                let collection = Self.collection(server.kind)
                let list = try await get(context, collection.path).json?.array ?? []
                current[collection] = list.compactMap { CurrentObject($0, matchField: "name") }
            }
        }
        let missing = libraries.filter { !enabled.contains($0) }
        actions.append(
            WiringAction(
                app: app, kind: Self.librarySync.kind, key: libraries.joined(separator: ", "),
                change: missing.isEmpty ? .unchanged : .create))
        actions += WiringPlanner().plan(
            app: app, desired: servers.map(desired), current: current, owned: context.ownership)
        actions.append(
            WiringAction(app: app, kind: Self.setup.kind, key: "initialize", change: initialized ? .unchanged : .create)
        )
        return actions
    }

    static let plexSignIn = WiringCollection(kind: "media server", path: "/api/v1/auth/plex", matchField: "name")

    /// Overseerr: signed in with Plex's token (the server owner's account, which Seerr looks up at plex.tv:
    /// `POST /api/v1/auth/plex` `{authToken}`, `server/routes/auth.ts`), then the Plex server and its libraries
    /// (SeerrWiring+Plex.swift), Sonarr and Radarr, and the setup completed. Without a token: the claim comes first.
    func planForPlex(_ context: WiringContext, signedIn: Bool, initialized: Bool) async throws(WiringFailure)
        -> [WiringAction]
    {
        guard signedIn else {
            guard plexToken(context) != nil else {
                return [
                    WiringAction(
                        app: app, kind: Self.signIn.kind, key: "Plex",
                        change: .needsPerson(
                            "Plex has no token in .env yet: claim Plex (see plex), then run `mediaserver wire`"))
                ]
            }
            // No one has signed in, so nothing can exist yet: everything after the sign-in is created too.
            let plexSteps = try await plexSteps(context, signedIn: false)
            return [WiringAction(app: app, kind: Self.signIn.kind, key: "Plex", change: .create)] + plexSteps
                + servers.map {
                    WiringAction(
                        app: app, kind: Self.collection($0.kind).kind, key: $0.name, change: .create,
                        desired: desired($0))
                } + [setupStep(initialized, after: plexSteps)]
        }
        var current: [WiringCollection: [CurrentObject]] = [:]
        for server in servers {
            let collection = Self.collection(server.kind)
            let list = try await get(context, collection.path).json?.array ?? []
            current[collection] = list.compactMap { CurrentObject($0, matchField: "name") }
        }
        let plexSteps = try await plexSteps(context, signedIn: true)
        return [WiringAction(app: app, kind: Self.signIn.kind, key: "Plex", change: .unchanged)] + plexSteps
            + WiringPlanner().plan(app: app, desired: servers.map(desired), current: current, owned: context.ownership)
            + [setupStep(initialized, after: plexSteps)]
    }

    /// Overseerr's last step; a person's while the Plex server is (`plexSteps` says so).
    func setupStep(_ initialized: Bool, after plexSteps: [WiringAction]) -> WiringAction {
        let forPerson = plexSteps.contains {
            if case .needsPerson = $0.change { return true }
            return false
        }
        return WiringAction(
            app: app, kind: Self.setup.kind, key: "initialize",
            change: initialized
                ? .unchanged
                : forPerson
                    ? .needsPerson(
                        "finish the setup at \(base.absoluteString): choose the Plex server and its libraries")
                    : .create)
    }

    /// The server as Seerr stores it (`SonarrSettings`/`RadarrSettings` of seerr-api.yml); the quality profile is
    /// chosen when it is created, so it does not decide drift.
    func desired(_ server: ArrServer) -> DesiredObject {
        var compared: [String: WireJSON] = [
            "hostname": .string(server.hostname), "port": .number(Double(server.port)), "useSsl": false,
            "baseUrl": "", "activeDirectory": .string(server.rootFolder), "is4k": false, "isDefault": true,
        ]
        var body = compared
        body["name"] = .string(server.name)
        body["apiKey"] = .string(server.apiKey)
        body["syncEnabled"] = true
        body["preventSearch"] = false
        body["externalUrl"] = ""
        if server.kind == "sonarr" {
            body["enableSeasonFolders"] = true
            compared["enableSeasonFolders"] = true
        } else {
            body["minimumAvailability"] = "released"
        }
        return DesiredObject(
            collection: Self.collection(server.kind), key: server.name, body: .object(body), compared: compared)
    }

    public func apply(_ action: WiringAction, _ context: WiringContext) async throws(WiringFailure) {
        switch (action.kind, action.change) {
        case (Self.signIn.kind, .create) where jellyfinHost == nil: try await signInToPlex(context)
        case (Self.plexServer.kind, .create), (Self.plexServer.kind, .update): try await savePlexServer(context)
        case (Self.librarySync.kind, .create) where jellyfinHost == nil: try await enablePlexLibraries(context)
        case (Self.signIn.kind, .create): try await signInToJellyfin(context)
        case (Self.librarySync.kind, .create): try await enableLibraries(context)
        case (Self.setup.kind, .create):
            _ = try await context.call(
                app, at: base, WiringRequest("POST", Self.setup.path, headers: headers), keySetting: keySetting,
                secrets: secrets)
        case (_, .create), (_, .update):
            guard let server = servers.first(where: { Self.collection($0.kind).kind == action.kind }) else { return }
            try await saveServer(server, action, context)
        default: return
        }
    }

    func signInToJellyfin(_ context: WiringContext) async throws(WiringFailure) {
        guard let jellyfinHost else { return }
        guard let password = context.secrets[JellyfinWiring.passwordSetting] else {
            throw WiringFailure(
                app: app, call: "POST \(Self.signIn.path)",
                message: ".env has no \(JellyfinWiring.passwordSetting) to sign in to Jellyfin with",
                fix: "sign in to \(app) once with Jellyfin's admin account in its web UI, then run `mediaserver wire`")
        }
        let body: WireJSON = [
            "username": .string(JellyfinWiring.adminUser), "password": .string(password),
            "hostname": .string(jellyfinHost), "port": .number(Double(jellyfinPort)), "useSsl": false, "urlBase": "",
            "serverType": 2,
        ]
        _ = try await context.call(
            app, at: base, WiringRequest("POST", Self.signIn.path, body: body), keySetting: keySetting,
            secrets: secrets + [password])
    }

    func signInToPlex(_ context: WiringContext) async throws(WiringFailure) {
        guard let token = context.secrets[PlexTokenWiring.tokenSetting] else { return }
        _ = try await context.call(
            app, at: base, WiringRequest("POST", Self.plexSignIn.path, body: ["authToken": .string(token)]),
            keySetting: PlexTokenWiring.tokenSetting, secrets: secrets + [token])
    }

    func enableLibraries(_ context: WiringContext) async throws(WiringFailure) {
        // Keep what a person enabled (read first: a sync disables every library it is not told to enable); add ours.
        let current = try await get(context, "/api/v1/settings/jellyfin").json?["libraries"]?.array ?? []
        let synced = try await get(context, "\(Self.librarySync.path)?sync=true").json?.array ?? []
        let wanted = synced.filter { library in
            let name = library["name"]?.string ?? ""
            let wasEnabled = current.contains { $0["name"]?.string == name && $0["enabled"]?.bool == true }
            return wasEnabled || libraries.contains(name)
        }.compactMap { $0["id"]?.string }
        let missing = libraries.filter { name in !synced.contains { $0["name"]?.string == name } }
        guard missing.isEmpty else {
            throw WiringFailure(
                app: app, call: "GET \(Self.librarySync.path)",
                message: "Jellyfin has no library \(missing.joined(separator: ", "))",
                fix: "run `mediaserver wire` again once Jellyfin is wired (its libraries come first)")
        }
        let ids = wanted.map { JellyfinWiring.escape($0) }.joined(separator: ",")
        _ = try await get(context, "\(Self.librarySync.path)?enable=\(ids)")
    }

    func saveServer(_ server: ArrServer, _ action: WiringAction, _ context: WiringContext) async throws(WiringFailure) {
        guard case .object(var body) = desired(server).body else { return }
        let collection = Self.collection(server.kind)
        if let id = action.existingID {
            // An update keeps the quality profile chosen before (or by a person since).
            let list = try await get(context, collection.path).json?.array ?? []
            let existing = list.first { $0["id"]?.int == id }
            body["activeProfileId"] = existing?["activeProfileId"] ?? .null
            body["activeProfileName"] = existing?["activeProfileName"] ?? .null
            _ = try await context.call(
                app, at: base, WiringRequest("PUT", "\(collection.path)/\(id)", headers: headers, body: .object(body)),
                keySetting: keySetting, secrets: secrets)
            return
        }
        let (profileID, profileName) = try await qualityProfile(server, context)
        body["activeProfileId"] = .number(Double(profileID))
        body["activeProfileName"] = .string(profileName)
        let response = try await context.call(
            app, at: base, WiringRequest("POST", collection.path, headers: headers, body: .object(body)),
            keySetting: keySetting, secrets: secrets)
        if let id = response.json?["id"]?.int {
            context.record(app: app, path: collection.path, key: server.name, id: id)
        }
    }

    /// Sonarr's or Radarr's `HD-1080p` profile (one of the defaults they create, `src/NzbDrone.Core/Profiles/
    /// Qualities/QualityProfileService.cs`), else the first one.
    func qualityProfile(_ server: ArrServer, _ context: WiringContext) async throws(WiringFailure) -> (Int, String) {
        let owner = ServiceName(server.kind) ?? app
        let request = WiringRequest("GET", "/api/v3/qualityprofile", headers: ["X-Api-Key": server.apiKey])
        let profiles =
            try await context.call(
                owner, at: server.base, request, keySetting: "\(owner.settingPrefix)_API_KEY", secrets: secrets
            ).json?.array ?? []
        let chosen = profiles.first { $0["name"]?.string == "HD-1080p" } ?? profiles.first
        guard let chosen, let id = chosen["id"]?.int, let name = chosen["name"]?.string else {
            throw WiringFailure(
                app: owner, call: request.call, message: "\(owner) lists no quality profile",
                fix: "create one in \(owner)'s web UI (Settings → Profiles), then run `mediaserver wire` again")
        }
        return (id, name)
    }
}
