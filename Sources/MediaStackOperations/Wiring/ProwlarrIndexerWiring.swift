import Foundation
import MediaStack

/// Adds the Newznab indexers `.env` declares (`INDEXERS`) to Prowlarr, which then hands them to Sonarr and Radarr
/// (the applications ``ServarrWiring`` adds, with `fullSync`).
///
/// Behaviour at this boundary, from Prowlarr/Prowlarr (`src/Prowlarr.Api.V1/Indexers/IndexerController.cs`,
/// `src/Prowlarr.Api.V1/ProviderControllerBase.cs`, `src/NzbDrone.Core/Indexers/IndexerFactory.cs`):
/// - `GET /api/v1/indexer/schema` lists one entry per preset (`GetDefaultDefinitions`); for Newznab these are the
///   named sites and "Generic Newznab" (`src/NzbDrone.Core/Indexers/Definitions/Newznab/Newznab.cs`
///   `DefaultDefinitions`), each with implementation `Newznab`, `redirect: true`, `priority: 25`, `appProfileId: 0`
///   and the settings fields `baseUrl`, `apiPath`, `apiKey`, … (`NewznabSettings.cs`).
/// - `POST /api/v1/indexer` validates the resource (`appProfileId` must name an existing app sync profile, so it
///   is taken from `GET /api/v1/appprofile`; `priority` 1-50; "Redirect must be enabled for Usenet indexers"), then
///   the settings, then *tests the indexer* when it is enabled (`Test(providerDefinition, !forceSave)`): Prowlarr
///   fetches the site's caps and a search with the key. A refused key or an unreachable site comes back as 400 with
///   a list of `{propertyName, errorMessage}` (`src/Prowlarr.Http/ErrorManagement/ProwlarrErrorPipeline.cs`), e.g.
///   "Indexer returned result for RSS URL, Credentials appears to be invalid." (`HttpIndexerBase.TestConnection`).
///   `forceSave` only lets warnings pass on POST (the test still runs), so it is not sent: a warning is shown too.
/// - `apiKey` is answered as `********` (`src/Prowlarr.Http/ClientSchema/SchemaBuilder.cs`), so it never decides
///   drift; a key changed in `.env` reaches Prowlarr when the URL changes too, or after the indexer is deleted in
///   Prowlarr (the next run adds it again).
/// Prowlarr's messages can quote the site's URL with `apikey=…` (`HttpException`), so every answer is redacted
/// with the indexers' keys before it is reported.
public struct ProwlarrIndexerWiring: AppWiring {
    public let app: ServiceName = .prowlarr
    public let base: URL
    public let apiKey: String
    /// The `.env` setting holding `apiKey`, for the fix of a 401.
    public let keySetting: String
    public let indexers: [NewznabIndexer]

    public init(base: URL, apiKey: String, keySetting: String, indexers: [NewznabIndexer]) {
        self.base = base
        self.apiKey = apiKey
        self.keySetting = keySetting
        self.indexers = indexers
    }

    /// After Prowlarr's applications, so a new indexer goes to Sonarr and Radarr as it is added.
    public var wave: Int { 1 }

    /// Prowlarr's indexers (`/api/v1/indexer`, `src/Prowlarr.Api.V1/openapi.json`), named without regard to case.
    public static let indexerCollection = WiringCollection(
        kind: "indexer", path: "/api/v1/indexer", matchField: "name")
    static let schemaPath = "/api/v1/indexer/schema"
    static let profilesPath = "/api/v1/appprofile"
    static let implementation = "Newznab"
    static let genericPreset = "Generic Newznab"

    var headers: [String: String] { ["X-Api-Key": apiKey] }
    var secrets: [String] { [apiKey] + indexers.map(\.apiKey) }

    /// What decides drift: the implementation, that it is enabled, and the non-secret settings.
    static func desired(_ indexer: NewznabIndexer) -> DesiredObject {
        DesiredObject(
            collection: indexerCollection, key: indexer.name, body: .null,
            compared: [
                "implementation": .string(implementation), "enable": true,
                "fields.baseUrl": .string(indexer.url), "fields.apiPath": .string(indexer.apiPath),
            ])
    }

    public func plan(_ context: WiringContext) async throws(WiringFailure) -> [WiringAction] {
        let request = WiringRequest("GET", Self.indexerCollection.path, headers: headers)
        let response = try await context.call(app, at: base, request, keySetting: keySetting, secrets: secrets)
        guard let list = response.json?.array else {
            throw WiringFailure(
                app: app, call: request.call, status: response.status, message: "the answer is not a JSON list",
                fix: "is \(base.absoluteString) really prowlarr? point `--url prowlarr=URL` at it")
        }
        let current = list.compactMap { CurrentObject($0, matchField: "name") }
        return WiringPlanner().plan(
            app: app, desired: indexers.map(Self.desired), current: [Self.indexerCollection: current],
            owned: context.ownership)
    }

    public func apply(_ action: WiringAction, _ context: WiringContext) async throws(WiringFailure) {
        guard let indexer = indexers.first(where: { $0.name == action.key }) else { return }
        switch action.change {
        case .create:
            let body = try await creation(indexer, context)
            let request = WiringRequest("POST", Self.indexerCollection.path, headers: headers, body: body)
            let response = try await send(request, for: indexer, context)
            if let id = response.json?["id"]?.int {
                context.record(app: app, path: Self.indexerCollection.path, key: indexer.name, id: id)
            }
        case .update:
            guard let id = action.existingID else { return }
            let path = "\(Self.indexerCollection.path)/\(id)"
            let current = try await context.call(
                app, at: base, WiringRequest("GET", path, headers: headers), keySetting: keySetting, secrets: secrets)
            guard let resource = current.json, case .object = resource else { return }
            let body = Self.filled(resource, with: indexer, name: indexer.name, profile: nil)
            _ = try await send(WiringRequest("PUT", path, headers: headers, body: body), for: indexer, context)
        case .unchanged, .userMade, .driftedNotUpdatable, .needsPerson:
            return
        }
    }

    /// The body of a new indexer: Prowlarr's schema entry for the site (the preset with the same URL, else
    /// "Generic Newznab"), with the name, the settings and the first app sync profile filled in.
    func creation(_ indexer: NewznabIndexer, _ context: WiringContext) async throws(WiringFailure) -> WireJSON {
        let schemaRequest = WiringRequest("GET", Self.schemaPath, headers: headers)
        let schema = try await context.call(app, at: base, schemaRequest, keySetting: keySetting, secrets: secrets)
        let entries = (schema.json?.array ?? []).filter { $0["implementation"]?.string == Self.implementation }
        let sameURL = entries.first { entry in
            entry["fields"]?.array?.first { $0["name"] == "baseUrl" }?["value"]?.string.map(Self.normalized)
                == Self.normalized(indexer.url)
        }
        guard let entry = sameURL ?? entries.first(where: { $0["name"]?.string == Self.genericPreset }) ?? entries.first
        else {
            throw WiringFailure(
                app: app, call: schemaRequest.call, status: schema.status,
                message: "Prowlarr offers no Newznab indexer",
                fix: "is Prowlarr the version the catalog pins? (`mediaserver services`)")
        }
        let profilesRequest = WiringRequest("GET", Self.profilesPath, headers: headers)
        let profiles = try await context.call(
            app, at: base, profilesRequest, keySetting: keySetting, secrets: secrets)
        // Prowlarr creates the profile "Standard" at its first start (`AppSyncProfileService`); the oldest is used.
        guard let profile = (profiles.json?.array ?? []).compactMap({ $0["id"]?.int }).min() else {
            throw WiringFailure(
                app: app, call: profilesRequest.call, status: profiles.status,
                message: "Prowlarr has no app sync profile",
                fix: "add one in Prowlarr (Settings → Apps → Sync Profiles), then run `mediaserver wire` again")
        }
        return Self.filled(entry, with: indexer, name: indexer.name, profile: profile)
    }

    /// `resource` with the indexer's name, settings and key, enabled, and with redirect on (Prowlarr refuses a
    /// Usenet indexer without it).
    static func filled(_ resource: WireJSON, with indexer: NewznabIndexer, name: String, profile: Int?) -> WireJSON {
        guard case .object(var members) = resource else { return resource }
        members["presets"] = nil
        if profile != nil { members["id"] = nil }
        members["name"] = .string(name)
        members["enable"] = true
        members["redirect"] = true
        if let profile { members["appProfileId"] = .number(Double(profile)) }
        if (members["priority"]?.int ?? 0) == 0 { members["priority"] = 25 }
        let values: [(String, String)] = [
            ("baseUrl", indexer.url), ("apiPath", indexer.apiPath), ("apiKey", indexer.apiKey),
        ]
        var fields = members["fields"]?.array ?? []
        for (field, value) in values {
            if let index = fields.firstIndex(where: { $0["name"]?.string == field }),
                case .object(var entry) = fields[index]
            {
                entry["value"] = .string(value)
                fields[index] = .object(entry)
            } else {
                fields.append(["name": .string(field), "value": .string(value)])
            }
        }
        members["fields"] = .array(fields)
        return .object(members)
    }

    static func normalized(_ url: String) -> String {
        var text = url.lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// Sends a save; a validation failure (the test of the indexer included) gets the `.env` key that fixes it.
    func send(_ request: WiringRequest, for indexer: NewznabIndexer, _ context: WiringContext)
        async throws(WiringFailure) -> WiringResponse
    {
        do {
            return try await context.call(app, at: base, request, keySetting: keySetting, secrets: secrets)
        } catch let failure where failure.status == 400 {
            throw WiringFailure(
                app: app, call: request.call, status: failure.status,
                message: "indexer \"\(indexer.name)\": \(failure.message)", fix: Self.fix(failure.message, indexer))
        }
    }

    /// The fix of a refused indexer, from Prowlarr's words: which `.env` key to correct.
    static func fix(_ message: String, _ indexer: NewznabIndexer) -> String {
        let text = message.lowercased()
        let site = URL(string: indexer.url)?.host ?? "the indexer's site"
        let then = ", then run `mediaserver wire`"
        let keyFix =
            "\(indexer.apiKeySetting) in .env is not a key \(site) accepts: copy the API key from your account page"
            + " there into it\(then)"
        // Prowlarr's words (`HttpIndexerBase.TestConnection`, `NewznabSettingsValidator`); a connection failure
        // first, since its message may quote the URL with `apikey=`.
        if text.contains("credentials") {
            return keyFix
        }
        if text.contains("unable to connect") || text.contains("baseurl") || text.contains("base url") {
            return "Prowlarr cannot use \(indexer.urlSetting) in .env: check that it is the site's address (as on its"
                + " API page, without /api) and that this server reaches the internet\(then)"
        }
        if text.contains("apipath") || text.contains("api path") {
            return "correct \(indexer.apiPathSetting) in .env (the API's path on \(site), usually /api)\(then)"
        }
        if text.contains("apikey:") || text.contains("api key") {
            return keyFix
        }
        return "check \(indexer.urlSetting) and \(indexer.apiKeySetting) in .env (Prowlarr's log, `docker logs"
            + " prowlarr`, has the details)\(then)"
    }
}
