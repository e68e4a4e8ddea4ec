import Foundation
import MediaStack

/// Plex's libraries: once the server is claimed (its token is in `.env`, or in Preferences.xml before
/// ``PlexTokenWiring`` stores it), a Movies and a TV Shows library on the media folders the catalog mounts into
/// Plex, made through Plex Media Server's HTTP API with that token. A library that already covers a folder (same
/// type, same folder) is left alone, whoever made it; no other library is touched.
///
/// Plex is closed source. The calls are those of the community OpenAPI spec of the PMS API (LukeHagar/plex-api-spec
/// `plex-api-spec.yaml`: the `token` security scheme is the `X-Plex-Token` header; answers are XML unless the client
/// accepts `application/json`; a `LibrarySection` has `key`, `title`, `type`, `agent`, `scanner`, `Location[].path`)
/// and of the clients that make them: pkkid/python-plexapi `plexapi/library.py` (`Library.add`:
/// `POST /library/sections?name=&type=&agent=&scanner=&language=&location=`, one `location` per folder, `type`
/// `movie` or `show`) and seerr-team/seerr v3.1.0 `server/api/plexapi.ts` (`GET /library/sections` →
/// `MediaContainer.Directory`, with `key`, `title`, `type`, `agent`). An empty server lists no `Directory` at all.
/// The agents and scanners are the current ones Plex ships (python-plexapi `tools/plex-bootstraptest.py` makes its
/// test server's sections with them against the `plexinc/pms-docker` image): `tv.plex.agents.movie` with
/// `Plex Movie`, `tv.plex.agents.series` with `Plex TV Series`; the language is `en-US`, since PMS refuses a bare
/// `en` with these agents with 400 "'language' is invalid" (pkkid/python-plexapi issue #1348, PMS 1.32.8). The
/// spec's `addSection` (its 2025 overhaul lists it under `/library/sections/all`, with `name`, `type`, `agent` and
/// `language` required) answers bad parameters with 400, which `apply` turns into a failure naming the folder.
/// Read at python-plexapi 4.16.1 and plex-api-spec ae9507ea; the Plex fake (scripts/e2e/standin/fakes.py) holds
/// the same rules, and `PlexFakeContractTests` checks them.
public struct PlexLibraryWiring: AppWiring {
    /// One library: its name, Plex's section type, agent and scanner, and the folder inside Plex's container.
    public struct Library: Sendable, Hashable {
        public let name: String
        public let type: String
        public let agent: String
        public let scanner: String
        public let path: String
    }

    /// One section as Plex lists it.
    struct Section: Sendable, Hashable {
        let key: String
        let title: String
        let type: String
        let locations: [String]

        func covers(_ library: Library) -> Bool {
            type == library.type && locations.contains { PlexLibraryWiring.sameFolder($0, library.path) }
        }
    }

    public static let defaultLibraries = [
        Library(
            name: "Movies", type: "movie", agent: "tv.plex.agents.movie", scanner: "Plex Movie",
            path: WiringTargets.moviesFolder),
        Library(
            name: "TV Shows", type: "show", agent: "tv.plex.agents.series", scanner: "Plex TV Series",
            path: WiringTargets.tvFolder),
    ]
    public static let language = "en-US"
    static let collection = WiringCollection(
        kind: "library", path: "/library/sections", matchField: "title", updatable: false)

    public let app: ServiceName = "plex"
    /// Reads the server's token from Preferences.xml when `.env` has none (a dry run does not store it).
    public let token: PlexTokenWiring
    /// Where this host reaches Plex.
    public let base: URL
    public let libraries: [Library]

    public init(token: PlexTokenWiring, base: URL, libraries: [Library]) {
        self.token = token
        self.base = base
        self.libraries = libraries
    }

    /// The default libraries whose folder lies in a folder the catalog mounts into `plex`.
    public static func libraries(mountedIn plex: Service) -> [Library] {
        defaultLibraries.filter { library in
            plex.mounts.contains { library.path == $0.target || library.path.hasPrefix($0.target + "/") }
        }
    }

    /// After the token step, which stores the token even when Plex refuses it or is down.
    public var wave: Int { 1 }

    public func plan(_ context: WiringContext) async throws(WiringFailure) -> [WiringAction] {
        // Unclaimed: the token step already says what to do; there is nothing to ask Plex yet.
        guard let serverToken = try serverToken(context) else { return [] }
        let existing = try await Self.readSections(context, base: base, token: serverToken)
        let owned = context.ownership
        return libraries.map { Self.action(for: $0, existing, owned: owned) }
    }

    static func action(for library: Library, _ existing: [Section], owned: WiringOwnership) -> WiringAction {
        func isOurs(_ section: Section) -> Bool {
            owned.id(app: .plex, path: collection.path, key: library.name) == Int(section.key)
        }
        if let covering = existing.first(where: { $0.covers(library) }) {
            return WiringAction(
                app: .plex, kind: collection.kind, key: covering.title,
                change: isOurs(covering) ? .unchanged : .userMade)
        }
        if let named = existing.first(where: { $0.title.lowercased() == library.name.lowercased() }) {
            // Plex would take a second library of that name; a person's is left alone, and ours moved elsewhere.
            return WiringAction(
                app: .plex, kind: collection.kind, key: library.name,
                change: isOurs(named) ? .driftedNotUpdatable(drifted: ["type", "Location"]) : .userMade)
        }
        return WiringAction(app: .plex, kind: collection.kind, key: library.name, change: .create)
    }

    public func apply(_ action: WiringAction, _ context: WiringContext) async throws(WiringFailure) {
        guard action.change == .create, let library = libraries.first(where: { $0.name == action.key }),
            let serverToken = try serverToken(context)
        else { return }
        // The plan may predate another run: a folder that gained a library since gets no second one.
        if try await Self.readSections(context, base: base, token: serverToken).contains(where: { $0.covers(library) })
        {
            return
        }
        let request = WiringRequest("POST", Self.creationPath(library), headers: Self.headers(serverToken))
        do {
            _ = try await Self.send(context, base: base, request, token: serverToken)
        } catch let failure where failure.status == 400 {
            throw WiringFailure(
                app: .plex, call: failure.call, status: 400,
                message: "Plex refused the \(library.type) library \"\(library.name)\" on \(library.path)",
                fix: "check that Plex's container mounts the media folder at /data/media and that"
                    + " \(library.path) exists under DATA_ROOT (`mediaserver doctor`), then run `mediaserver wire`")
        }
        let made = try await Self.readSections(context, base: base, token: serverToken).first { $0.covers(library) }
        if let made, let id = Int(made.key) {
            context.record(app: .plex, path: Self.collection.path, key: library.name, id: id)
        }
    }

    /// The call that makes `library`: `POST` to this path (python-plexapi's `Library.add`, see above).
    public static func creationPath(_ library: Library) -> String {
        let query = [
            "name=\(JellyfinWiring.escape(library.name))", "type=\(library.type)",
            "agent=\(JellyfinWiring.escape(library.agent))", "scanner=\(JellyfinWiring.escape(library.scanner))",
            "language=\(language)", "location=\(JellyfinWiring.escape(library.path))",
        ].joined(separator: "&")
        return "\(collection.path)?\(query)"
    }

    /// The token `.env` holds, else the one in Preferences.xml (a dry run plans before the token step stores it).
    func serverToken(_ context: WiringContext) throws(WiringFailure) -> String? {
        if let stored = context.secrets[PlexTokenWiring.tokenSetting] { return stored }
        return try token.readToken()
    }

    static func headers(_ token: String) -> [String: String] {
        [
            "X-Plex-Token": token, "Accept": "application/json", "X-Plex-Product": "mediaserver",
            "X-Plex-Client-Identifier": "mediaserver-wire",
        ]
    }

    /// Plex's libraries.
    static func readSections(_ context: WiringContext, base: URL, token: String) async throws(WiringFailure)
        -> [Section]
    {
        let response = try await send(
            context, base: base, WiringRequest("GET", collection.path, headers: headers(token)), token: token)
        let directory = response.json?["MediaContainer"]?["Directory"]?.array ?? []
        return directory.compactMap { entry in
            guard let key = entry["key"]?.string, let type = entry["type"]?.string else { return nil }
            let locations = (entry["Location"]?.array ?? []).compactMap { $0["path"]?.string }
            return Section(key: key, title: entry["title"]?.string ?? "", type: type, locations: locations)
        }
    }

    /// One call with the token; a refused token becomes its own failure, which names the setting, never the value.
    static func send(_ context: WiringContext, base: URL, _ request: WiringRequest, token: String)
        async throws(WiringFailure) -> WiringResponse
    {
        do {
            return try await context.call(.plex, at: base, request, secrets: [token])
        } catch let failure where failure.status == 401 {
            throw tokenRefused(request.call)
        }
    }

    static func tokenRefused(_ call: String) -> WiringFailure {
        WiringFailure(
            app: .plex, call: call, status: 401,
            message: "Plex refused \(PlexTokenWiring.tokenSetting) from .env: it is not the token of this server's"
                + " owner, or it was revoked",
            fix: "delete the \(PlexTokenWiring.tokenSetting) line from .env and run `mediaserver wire`, which reads"
                + " the server's own token from Plex's Preferences.xml again; if Plex was claimed by another account"
                + " since, set PLEX_TOKEN to that account's token")
    }

    /// Folders compare without a trailing slash.
    static func sameFolder(_ left: String, _ right: String) -> Bool {
        func trimmed(_ path: String) -> Substring {
            var path = Substring(path)
            while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
            return path
        }
        return trimmed(left) == trimmed(right)
    }
}
