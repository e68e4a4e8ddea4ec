import Foundation
import MediaStack

/// Overseerr's Plex server and libraries, the steps of its setup wizard after the Plex sign-in.
///
/// Behaviour at this boundary, from seerr-team/seerr at v3.1.0: `POST /api/v1/settings/plex` takes `ip`, `port`,
/// `useSsl` (`PlexSettings` of `seerr-api.yml`, whose `name`, `machineId` and `libraries` are read-only, so
/// express-openapi-validator refuses them with 400), assigns them, tests the connection with user 1's Plex token
/// (`GET /` on the server, `server/api/plexapi.ts` getStatus), stores `machineId` and `name` and answers the
/// settings; a failed test answers 500 "Unable to connect to Plex." (`server/routes/settings/index.ts`).
/// `GET /api/v1/settings/plex/library?sync=true` reads the server's movie and show sections (`PlexAPI.syncLibraries`:
/// `id` is Plex's section key, `name` its title), and every call of that route enables exactly the ids in
/// `?enable=` and disables the others, a plain sync included; `GET /api/v1/settings/plex` answers the settings with
/// `libraries[].enabled`. The source reads `server/lib/settings/index.ts` (`PlexSettings`, defaults `ip` "",
/// `port` 32400).
extension SeerrWiring {
    /// Plex as Overseerr should reach it, and where this host reads Plex's libraries.
    public struct PlexServer: Sendable, Hashable {
        /// The address Overseerr's container reaches Plex at (Plex runs on the host network, so the host gateway).
        public let hostname: String
        public let port: Int
        /// This host's address of Plex, to read its identity and libraries.
        public let base: URL
        /// The libraries Plex's wiring makes; Overseerr enables the ones on these folders.
        public let libraries: [PlexLibraryWiring.Library]
        /// Plex's Preferences.xml, whose token a dry run plans with before Plex's wiring stores it in `.env`.
        public let preferences: URL?

        public init(
            hostname: String, port: Int, base: URL, libraries: [PlexLibraryWiring.Library], preferences: URL? = nil
        ) {
            self.hostname = hostname
            self.port = port
            self.base = base
            self.libraries = libraries
            self.preferences = preferences
        }
    }

    /// The server owner's token: `.env`'s, else (before Plex's wiring stored it, in a dry run) Preferences.xml's.
    func plexToken(_ context: WiringContext) -> String? {
        if let stored = context.secrets[PlexTokenWiring.tokenSetting] { return stored }
        guard let preferences = plex?.preferences else { return nil }
        return (try? PlexTokenWiring(preferences: preferences).readToken()) ?? nil
    }

    static let plexServer = WiringCollection(kind: "Plex server", path: "/api/v1/settings/plex", matchField: "ip")
    static let plexLibraries = WiringCollection(
        kind: "library sync", path: "/api/v1/settings/plex/library", matchField: "name")

    /// The Plex server and library steps: created after a sign-in made in this run; else compared with what
    /// Overseerr holds. A server a person chose (another address) is left alone, and so are its libraries unless it
    /// is this Plex.
    func plexSteps(_ context: WiringContext, signedIn: Bool) async throws(WiringFailure) -> [WiringAction] {
        guard let plex else {
            return [
                WiringAction(
                    app: app, kind: Self.plexServer.kind, key: "Plex",
                    change: .needsPerson("choose the Plex server and its libraries at \(base.absoluteString)"))
            ]
        }
        let serverKey = "\(plex.hostname):\(plex.port)"
        let librariesKey = plex.libraries.map(\.name).joined(separator: ", ")
        guard signedIn else {
            return [
                WiringAction(app: app, kind: Self.plexServer.kind, key: serverKey, change: .create),
                WiringAction(app: app, kind: Self.plexLibraries.kind, key: librariesKey, change: .create),
            ]
        }
        // Signed in by hand while Plex's token is unknown here: its libraries cannot be read.
        guard let token = plexToken(context) else {
            return [
                WiringAction(
                    app: app, kind: Self.plexServer.kind, key: serverKey,
                    change: .needsPerson(
                        "Plex has no token in .env yet: claim Plex (see plex), then run `mediaserver wire`"))
            ]
        }
        let settings = try await get(context, Self.plexServer.path).json
        let configured = !(settings?["machineId"]?.string ?? "").isEmpty && !(settings?["ip"]?.string ?? "").isEmpty
        guard configured else {
            return [
                WiringAction(app: app, kind: Self.plexServer.kind, key: serverKey, change: .create),
                WiringAction(app: app, kind: Self.plexLibraries.kind, key: librariesKey, change: .create),
            ]
        }
        let ours = settings?["ip"]?.string == plex.hostname && settings?["port"]?.int == plex.port
        let sameServer =
            try await askPlex { () async throws(WiringFailure) in
                try await machineIdentifier(plex, context)
            } == settings?["machineId"]?.string
        let enabled = Set(
            (settings?["libraries"]?.array ?? []).filter { $0["enabled"]?.bool == true }.compactMap {
                $0["id"]?.string
            })
        let wanted = try await askPlex { () async throws(WiringFailure) in
            try await plexKeys(plex, token: token, context)
        }
        let allEnabled = wanted.allSatisfy { $0.key.map(enabled.contains) ?? false }
        // Ours but another machine behind the address (Plex set up anew): saving the settings again reads its id.
        let serverChange: WiringChange =
            !ours ? .userMade : sameServer ? .unchanged : .update(drifted: ["machineId"])
        let libraryChange: WiringChange =
            !ours && !sameServer ? .userMade : sameServer && allEnabled ? .unchanged : .create
        return [
            WiringAction(app: app, kind: Self.plexServer.kind, key: serverKey, change: serverChange),
            WiringAction(app: app, kind: Self.plexLibraries.kind, key: librariesKey, change: libraryChange),
        ]
    }

    /// A read of Plex for Overseerr's sake; its failure is Overseerr's, pointing at Plex's own line.
    func askPlex<T>(_ read: () async throws(WiringFailure) -> T) async throws(WiringFailure) -> T {
        do {
            return try await read()
        } catch {
            throw WiringFailure(
                app: app, call: "\(error.call) on plex", status: error.status,
                message: "Plex's libraries cannot be read, so \(app) cannot be given them",
                fix: "wire Plex first (its own line says how), then run `mediaserver wire`")
        }
    }

    /// Plex's own id (`GET /identity`, anonymous), which Overseerr stores as `machineId`.
    func machineIdentifier(_ plex: PlexServer, _ context: WiringContext) async throws(WiringFailure) -> String? {
        let identity = try await context.call(
            .plex, at: plex.base, WiringRequest("GET", "/identity", headers: ["Accept": "application/json"]))
        return identity.json?["MediaContainer"]?["machineIdentifier"]?.string
    }

    /// Each library of ours with the key of the Plex section that covers its folder (nil when none does).
    func plexKeys(_ plex: PlexServer, token: String, _ context: WiringContext) async throws(WiringFailure)
        -> [(library: PlexLibraryWiring.Library, key: String?)]
    {
        let sections = try await PlexLibraryWiring.readSections(context, base: plex.base, token: token)
        return plex.libraries.map { library in (library, sections.first { $0.covers(library) }?.key) }
    }

    func savePlexServer(_ context: WiringContext) async throws(WiringFailure) {
        guard let plex else { return }
        let body: WireJSON = ["ip": .string(plex.hostname), "port": .number(Double(plex.port)), "useSsl": false]
        do {
            _ = try await context.call(
                app, at: base, WiringRequest("POST", Self.plexServer.path, headers: headers, body: body),
                keySetting: keySetting, secrets: secrets)
        } catch let failure where failure.status == 500 {
            throw WiringFailure(
                app: app, call: failure.call, status: 500, message: failure.message,
                fix: "\(app) could not reach Plex at http://\(plex.hostname):\(plex.port) with the owner's token: is"
                    + " Plex up (`mediaserver ps`), and does the host's firewall let containers reach port"
                    + " \(plex.port) on the host? Then run `mediaserver wire`")
        }
    }

    func enablePlexLibraries(_ context: WiringContext) async throws(WiringFailure) {
        guard let plex, let token = context.secrets[PlexTokenWiring.tokenSetting] else { return }
        let keys = try await askPlex { () async throws(WiringFailure) in try await plexKeys(plex, token: token, context)
        }
        let absent = keys.filter { $0.key == nil }.map { "\($0.library.type) library on \($0.library.path)" }
        guard absent.isEmpty else {
            throw WiringFailure(
                app: app, call: "GET \(PlexLibraryWiring.collection.path)",
                message: "Plex has no \(absent.joined(separator: " and "))",
                fix: "run `mediaserver wire` again once Plex's libraries exist (plex is wired first), or enable your"
                    + " own in \(app) → Settings → Plex")
        }
        // A sync disables every library not named, so what a person enabled is read first and kept.
        let before = try await get(context, Self.plexServer.path).json?["libraries"]?.array ?? []
        let kept = before.filter { $0["enabled"]?.bool == true }.compactMap { $0["id"]?.string }
        let synced = try await get(context, "\(Self.plexLibraries.path)?sync=true").json?.array ?? []
        let syncedIDs = Set(synced.compactMap { $0["id"]?.string })
        let wanted = keys.compactMap(\.key)
        let unsynced = wanted.filter { !syncedIDs.contains($0) }
        guard unsynced.isEmpty else {
            throw WiringFailure(
                app: app, call: "GET \(Self.plexLibraries.path)",
                message: "the library sync did not find Plex's sections \(unsynced.joined(separator: ", "))",
                fix: "read \(app)'s log (`docker logs \(app)`): it reads them from Plex with the owner's token;"
                    + " then run `mediaserver wire`")
        }
        var ids: [String] = []
        for id in kept + wanted where syncedIDs.contains(id) && !ids.contains(id) { ids.append(id) }
        let enable = ids.map { JellyfinWiring.escape($0) }.joined(separator: ",")
        _ = try await get(context, "\(Self.plexLibraries.path)?enable=\(enable)")
    }
}
