import Foundation
import MediaStack

/// Jellyfin: the startup wizard through its API, an API key for mediaserver (stored in `.env` as JELLYFIN_API_KEY)
/// and the libraries Movies and Shows.
///
/// Behaviour at this boundary, from jellyfin/jellyfin at v10.11.11: `GET /System/Info/Public` is anonymous and says
/// `StartupWizardCompleted` (`Jellyfin.Api/Controllers/SystemController.cs`, `MediaBrowser.Model/System/
/// PublicSystemInfo.cs`); `/Startup/*` and `/Library/VirtualFolders` need no credentials until the wizard is
/// complete, an administrator after (`FirstTimeSetupOrElevated`, `Jellyfin.Api/Auth/FirstTimeSetupPolicy/
/// FirstTimeSetupHandler.cs`); `POST /Startup/Configuration`, `POST /Startup/User` (`Name`, `Password`; 400 "Password
/// must not be empty"), `POST /Startup/Complete` answer 204 (`Jellyfin.Api/Controllers/StartupController.cs`);
/// `POST /Users/AuthenticateByName` (`Username`, `Pw`) answers `AccessToken` (`Jellyfin.Api/Controllers/
/// UserController.cs`); `POST /Auth/Keys?app=` answers 204 and `GET /Auth/Keys` lists `Items` of `AccessToken`,
/// `AppName` (`Jellyfin.Api/Controllers/ApiKeyController.cs`); `POST /Library/VirtualFolders?name=&collectionType=
/// &paths=` answers 204 (`Jellyfin.Api/Controllers/LibraryStructureController.cs`). Credentials travel as
/// `Authorization: MediaBrowser Token="…"` (`Jellyfin.Server.Implementations/Security/AuthorizationContext.cs`).
public struct JellyfinWiring: AppWiring {
    /// One library: its name, Jellyfin's collection type and the folder inside the container.
    public struct Library: Sendable, Hashable {
        public let name: String
        public let collectionType: String
        public let path: String
    }

    public static let defaultLibraries = [
        Library(name: "Movies", collectionType: "movies", path: WiringTargets.moviesFolder),
        Library(name: "Shows", collectionType: "tvshows", path: WiringTargets.tvFolder),
    ]
    /// The administrator the wizard creates; its password is generated into `.env`.
    public static let adminUser = "admin"
    public static let passwordSetting = "JELLYFIN_ADMIN_PASSWORD"
    public static let keySetting = "JELLYFIN_API_KEY"
    /// The name the API key is created under (`?app=`), which also finds it again.
    public static let keyApp = "mediaserver"

    static let wizard = WiringCollection(kind: "startup wizard", path: "/Startup", matchField: "name")
    static let apiKeys = WiringCollection(kind: "API key", path: "/Auth/Keys", matchField: "AppName")
    static let libraries = WiringCollection(
        kind: "library", path: "/Library/VirtualFolders", matchField: "Name", updatable: false)

    public let app: ServiceName = "jellyfin"
    public let base: URL
    public let libraries: [Library]

    public init(base: URL, libraries: [Library]) {
        self.base = base
        self.libraries = libraries
    }

    static func tokenHeader(_ token: String) -> [String: String] {
        ["Authorization": "MediaBrowser Token=\"\(token)\""]
    }

    /// The header of a sign-in: Jellyfin wants the client and device named.
    static let clientHeader = [
        "Authorization":
            "MediaBrowser Client=\"mediaserver\", Device=\"mediaserver\", DeviceId=\"mediaserver-wire\", Version=\"1\""
    ]

    public func plan(_ context: WiringContext) async throws(WiringFailure) -> [WiringAction] {
        let info = try await context.call(app, at: base, WiringRequest("GET", "/System/Info/Public"))
        let completed = info.json?["StartupWizardCompleted"]?.bool ?? true
        var actions: [WiringAction] = []
        actions.append(
            WiringAction(
                app: app, kind: Self.wizard.kind, key: "admin user", change: completed ? .unchanged : .create))

        // The stored key, if Jellyfin still accepts it.
        var token: String?
        if let key = context.secrets[Self.keySetting] {
            let check = try await context.call(
                app, at: base, WiringRequest("GET", "/Auth/Keys", headers: Self.tokenHeader(key)),
                expecting: [200, 401, 403], secrets: [key])
            if check.status == 200 { token = key }
        }
        if completed && token == nil && context.secrets[Self.passwordSetting] == nil {
            throw WiringFailure(
                app: app, call: "POST /Auth/Keys",
                message: "the startup wizard was completed by hand, and .env holds"
                    + " neither \(Self.keySetting) nor \(Self.passwordSetting)",
                fix: "create an API key in Jellyfin → Dashboard → API Keys and set \(Self.keySetting) to it in .env,"
                    + " then run `mediaserver wire` again")
        }
        actions.append(
            WiringAction(
                app: app, kind: Self.apiKeys.kind, key: Self.keyApp, change: token == nil ? .create : .unchanged)
        )

        // Before the wizard completes the libraries are readable without credentials; after, with the key.
        var existing: [String: [String]]?
        if !completed || token != nil {
            existing = try await virtualFolders(context, token: completed ? token : nil)
        }
        let owned = context.ownership
        for library in libraries {
            let change: WiringChange
            if let locations = existing?.first(where: { $0.key.lowercased() == library.name.lowercased() })?.value {
                let ours = owned.id(app: app, path: Self.libraries.path, key: library.name) != nil
                if !ours {
                    change = .userMade
                } else if locations.contains(library.path) {
                    change = .unchanged
                } else {
                    change = .driftedNotUpdatable(drifted: ["Locations"])
                }
            } else {
                change = .create
            }
            actions.append(WiringAction(app: app, kind: Self.libraries.kind, key: library.name, change: change))
        }
        return actions
    }

    /// The libraries by name, with their folders.
    func virtualFolders(_ context: WiringContext, token: String?) async throws(WiringFailure) -> [String: [String]] {
        let request = WiringRequest("GET", "/Library/VirtualFolders", headers: token.map(Self.tokenHeader) ?? [:])
        let response = try await context.call(
            app, at: base, request, keySetting: Self.keySetting, secrets: token.map { [$0] } ?? [])
        var result: [String: [String]] = [:]
        for folder in response.json?.array ?? [] {
            guard let name = folder["Name"]?.string else { continue }
            result[name] = (folder["Locations"]?.array ?? []).compactMap(\.string)
        }
        return result
    }

    public func apply(_ action: WiringAction, _ context: WiringContext) async throws(WiringFailure) {
        guard action.change == .create else { return }
        switch action.kind {
        case Self.wizard.kind: try await completeWizard(context)
        case Self.apiKeys.kind: try await createKey(context)
        case Self.libraries.kind:
            guard let library = libraries.first(where: { $0.name == action.key }) else { return }
            try await addLibrary(library, context)
        default: return
        }
    }

    /// The admin password from `.env`, generated and stored there first when absent, so it is never lost.
    func adminPassword(_ context: WiringContext) throws(WiringFailure) -> String {
        if let password = context.secrets[Self.passwordSetting] { return password }
        let password = SecretGenerator().passphrase(length: 32)
        try context.store(Self.passwordSetting, password, for: app)
        return password
    }

    func completeWizard(_ context: WiringContext) async throws(WiringFailure) {
        let password = try adminPassword(context)
        _ = try await context.call(
            app, at: base,
            WiringRequest(
                "POST", "/Startup/Configuration",
                body: ["UICulture": "en-US", "MetadataCountryCode": "US", "PreferredMetadataLanguage": "en"]))
        // Reading the first user makes Jellyfin create it (StartupController.GetFirstUser).
        _ = try await context.call(app, at: base, WiringRequest("GET", "/Startup/User"))
        _ = try await context.call(
            app, at: base,
            WiringRequest(
                "POST", "/Startup/User", body: ["Name": .string(Self.adminUser), "Password": .string(password)]),
            secrets: [password])
        _ = try await context.call(app, at: base, WiringRequest("POST", "/Startup/Complete"))
    }

    func createKey(_ context: WiringContext) async throws(WiringFailure) {
        let password = try adminPassword(context)
        let signIn = try await context.call(
            app, at: base,
            WiringRequest(
                "POST", "/Users/AuthenticateByName", headers: Self.clientHeader,
                body: ["Username": .string(Self.adminUser), "Pw": .string(password)]),
            keySetting: Self.passwordSetting, secrets: [password])
        guard let session = signIn.json?["AccessToken"]?.string else {
            throw WiringFailure(
                app: app, call: "POST /Users/AuthenticateByName", status: signIn.status,
                message: "the answer has no AccessToken", fix: "is \(base.absoluteString) really Jellyfin?")
        }
        var key = try await findKey(context, session: session)
        if key == nil {
            _ = try await context.call(
                app, at: base,
                WiringRequest("POST", "/Auth/Keys?app=\(Self.keyApp)", headers: Self.tokenHeader(session)),
                secrets: [session])
            key = try await findKey(context, session: session)
        }
        guard let key else {
            throw WiringFailure(
                app: app, call: "GET /Auth/Keys", message: "the key just created is not listed",
                fix: "create an API key in Jellyfin → Dashboard → API Keys and set \(Self.keySetting) in .env")
        }
        try context.store(Self.keySetting, key, for: app)
    }

    func findKey(_ context: WiringContext, session: String) async throws(WiringFailure) -> String? {
        let response = try await context.call(
            app, at: base, WiringRequest("GET", "/Auth/Keys", headers: Self.tokenHeader(session)), secrets: [session])
        let items = response.json?["Items"]?.array ?? []
        return items.last { $0["AppName"]?.string == Self.keyApp }?["AccessToken"]?.string
    }

    func addLibrary(_ library: Library, _ context: WiringContext) async throws(WiringFailure) {
        let token = context.secrets[Self.keySetting]
        // The plan may predate the key: a library another step just made is not made twice.
        if let existing = try? await virtualFolders(context, token: token), existing[library.name] != nil { return }
        let query = [
            "name=\(Self.escape(library.name))", "collectionType=\(library.collectionType)",
            "paths=\(Self.escape(library.path))", "refreshLibrary=true",
        ].joined(separator: "&")
        _ = try await context.call(
            app, at: base,
            WiringRequest(
                "POST", "/Library/VirtualFolders?\(query)", headers: token.map(Self.tokenHeader) ?? [:],
                body: ["LibraryOptions": [:]]),
            keySetting: Self.keySetting, secrets: token.map { [$0] } ?? [])
        // Libraries have no numeric id in this API; 0 marks one this tool made.
        context.record(app: app, path: Self.libraries.path, key: library.name, id: 0)
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
            ?? text
    }
}
