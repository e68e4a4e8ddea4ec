import Foundation
import MediaStack

/// Reconciles collections of a Servarr app's API (Prowlarr's applications; Sonarr's and Radarr's download clients
/// and root folders) against the desired objects, authenticated with `X-Api-Key`.
///
/// Behaviour at this boundary, from the apps' source: GET on the collection lists every object; POST creates and
/// answers 201 with the object (its `id`); PUT `{path}/{id}` answers 202; a name already used (compared without
/// case) or a failed validation answers 400 with a list of `{propertyName, errorMessage}`
/// (Sonarr/Sonarr `src/Sonarr.Api.V3/ProviderControllerBase.cs`, `src/Sonarr.Http/ErrorManagement/SonarrErrorPipeline.cs`
/// at v4.0.19.2979; Prowlarr/Prowlarr `src/Prowlarr.Api.V1/ProviderControllerBase.cs`). Secret fields (`apiKey`)
/// come back as `********` (`src/Sonarr.Http/ClientSchema/SchemaBuilder.cs`), so they never decide drift.
public struct ServarrWiring: AppWiring {
    public let app: ServiceName
    public let base: URL
    public let apiKey: String
    /// The `.env` setting holding `apiKey`, for the fix of a 401.
    public let keySetting: String
    public let desired: [DesiredObject]
    /// Secrets the desired objects carry, redacted from anything the app answers.
    public let secrets: [String]

    public init(
        app: ServiceName, base: URL, apiKey: String, keySetting: String, desired: [DesiredObject], secrets: [String]
    ) {
        self.app = app
        self.base = base
        self.apiKey = apiKey
        self.keySetting = keySetting
        self.desired = desired
        self.secrets = secrets
    }

    var headers: [String: String] { ["X-Api-Key": apiKey] }

    public func plan(_ context: WiringContext) async throws(WiringFailure) -> [WiringAction] {
        var current: [WiringCollection: [CurrentObject]] = [:]
        var seen: [WiringCollection] = []
        for object in desired where !seen.contains(object.collection) { seen.append(object.collection) }
        for collection in seen {
            let request = WiringRequest("GET", collection.path, headers: headers)
            let response = try await context.call(
                app, at: base, request, keySetting: keySetting, secrets: secrets + [apiKey])
            guard let list = response.json?.array else {
                throw WiringFailure(
                    app: app, call: request.call, status: response.status,
                    message: "the answer is not a JSON list",
                    fix: "is \(base.absoluteString) really \(app)? point `--url \(app)=URL` at it")
            }
            current[collection] = list.compactMap { CurrentObject($0, matchField: collection.matchField) }
        }
        return WiringPlanner().plan(app: app, desired: desired, current: current, owned: context.ownership)
    }

    public func apply(_ action: WiringAction, _ context: WiringContext) async throws(WiringFailure) {
        guard let object = action.desired else { return }
        let collection = object.collection
        switch action.change {
        case .create:
            let request = WiringRequest("POST", collection.path, headers: headers, body: object.body)
            let response = try await context.call(
                app, at: base, request, keySetting: keySetting, secrets: secrets + [apiKey])
            if let id = response.json?["id"]?.int {
                context.record(app: app, path: collection.path, key: object.key, id: id)
            }
        case .update:
            guard let id = action.existingID, case .object(var members) = object.body else { return }
            members["id"] = .number(Double(id))
            let request = WiringRequest("PUT", "\(collection.path)/\(id)", headers: headers, body: .object(members))
            _ = try await context.call(app, at: base, request, keySetting: keySetting, secrets: secrets + [apiKey])
        case .unchanged, .userMade, .driftedNotUpdatable, .needsPerson:
            return
        }
    }
}

extension ServarrWiring {
    /// Prowlarr's applications (`/api/v1/applications`, Prowlarr/Prowlarr `src/Prowlarr.Api.V1/openapi.json`).
    public static let applications = WiringCollection(
        kind: "application", path: "/api/v1/applications", matchField: "name")
    /// Sonarr's and Radarr's download clients (`/api/v3/downloadclient`, `src/Sonarr.Api.V3/openapi.json`,
    /// `src/Radarr.Api.V3/openapi.json`).
    public static let downloadClients = WiringCollection(
        kind: "download client", path: "/api/v3/downloadclient", matchField: "name")
    /// Sonarr's and Radarr's root folders (`/api/v3/rootfolder`): no name and no PUT, matched by path
    /// (`src/Sonarr.Api.V3/RootFolders/RootFolderController.cs`). Paths are compared exactly, as on Linux.
    public static let rootFolders = WiringCollection(
        kind: "root folder", path: "/api/v3/rootfolder", matchField: "path", caseInsensitive: false,
        updatable: false)

    /// A provider object: name, implementation, settings contract and `fields` as `[{name, value}]`
    /// (`src/Sonarr.Api.V3/ProviderResource.cs`, `src/Sonarr.Http/ClientSchema/Field.cs`). `compared` names the
    /// top-level members and the field names (not the secret ones) that decide drift.
    static func provider(
        _ collection: WiringCollection, name: String, implementation: String, configContract: String,
        members: [String: WireJSON], fields: [(String, WireJSON)], secretFields: Set<String>
    ) -> DesiredObject {
        var body = members
        body["name"] = .string(name)
        body["implementation"] = .string(implementation)
        body["implementationName"] = .string(implementation)
        body["configContract"] = .string(configContract)
        body["tags"] = []
        body["fields"] = .array(fields.map { .object(["name": .string($0.0), "value": $0.1]) })
        var compared: [String: WireJSON] = ["implementation": .string(implementation)]
        for (key, value) in members { compared[key] = value }
        for (field, value) in fields where !secretFields.contains(field) { compared["fields.\(field)"] = value }
        return DesiredObject(collection: collection, key: name, body: .object(body), compared: compared)
    }
}
