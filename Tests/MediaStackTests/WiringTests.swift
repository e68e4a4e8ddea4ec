import Foundation
import MediaStack
import TestKit
import Testing

@testable import MediaStackOperations

@Suite struct WiringPlannerTests {
    static let clients = WiringCollection(kind: "download client", path: "/api/v3/downloadclient", matchField: "name")
    static let folders = WiringCollection(
        kind: "root folder", path: "/api/v3/rootfolder", matchField: "path", caseInsensitive: false, updatable: false)

    static let sabnzbd = DesiredObject(
        collection: clients, key: "SABnzbd", body: ["name": "SABnzbd"],
        compared: ["fields.host": "sabnzbd", "fields.tvCategory": "tv", "enable": true])
    static let tvFolder = DesiredObject(
        collection: folders, key: "/data/media/tv", body: ["path": "/data/media/tv"],
        compared: ["path": "/data/media/tv"])

    /// An app's answer for one download client, as Sonarr lists it (fields as name/value, the key masked).
    static func listed(id: Int, name: String, host: String, category: String) -> CurrentObject? {
        CurrentObject(
            [
                "id": .number(Double(id)), "name": .string(name), "enable": true,
                "fields": [
                    ["name": "host", "value": .string(host)], ["name": "apiKey", "value": "********"],
                    ["name": "tvCategory", "value": .string(category)],
                ],
            ], matchField: "name")
    }

    func owning(_ entries: [(String, String, Int)]) -> WiringOwnership {
        var ownership = WiringOwnership()
        for (path, key, id) in entries { ownership.record(app: "sonarr", path: path, key: key, id: id) }
        return ownership
    }

    func plan(_ current: [WiringCollection: [CurrentObject]], owned: WiringOwnership = WiringOwnership())
        -> [WiringChange]
    {
        WiringPlanner().plan(
            app: "sonarr", desired: [Self.sabnzbd, Self.tvFolder], current: current, owned: owned
        ).map(\.change)
    }

    @Test func anEmptyAppGetsEveryObjectCreated() {
        #expect(plan([:]) == [.create, .create])
    }

    @Test func ownObjectsAsDesiredAreLeftUnchanged() throws {
        let client = try #require(Self.listed(id: 4, name: "SABnzbd", host: "sabnzbd", category: "tv"))
        let folder = try #require(CurrentObject(["id": 9, "path": "/data/media/tv"], matchField: "path"))
        let owned = owning([(Self.clients.path, "SABnzbd", 4), (Self.folders.path, "/data/media/tv", 9)])
        #expect(plan([Self.clients: [client], Self.folders: [folder]], owned: owned) == [.unchanged, .unchanged])
    }

    @Test func driftOfAnOwnObjectIsAnUpdateNamingTheValues() throws {
        let client = try #require(Self.listed(id: 4, name: "sabnzbd", host: "other", category: "series"))
        let owned = owning([(Self.clients.path, "SABnzbd", 4)])
        let actions = WiringPlanner().plan(
            app: "sonarr", desired: [Self.sabnzbd], current: [Self.clients: [client]], owned: owned)
        #expect(actions.map(\.change) == [.update(drifted: ["fields.host", "fields.tvCategory"])])
        #expect(actions.first?.existingID == 4)
    }

    @Test func anObjectOfTheSameNameMadeByHandIsLeftAlone() throws {
        let client = try #require(Self.listed(id: 4, name: "SABnzbd", host: "nas", category: "tv"))
        // Nothing recorded, or a record of another object (ours was deleted and a person made this one).
        #expect(plan([Self.clients: [client]]) == [.userMade, .create])
        #expect(
            plan([Self.clients: [client]], owned: owning([(Self.clients.path, "SABnzbd", 3)])) == [.userMade, .create])
    }

    @Test func aRootFolderThatCannotBeUpdatedIsReportedNotRewritten() throws {
        // Root folders match by exact path; one under another case is a different folder on Linux.
        let folder = try #require(CurrentObject(["id": 2, "path": "/data/Media/tv"], matchField: "path"))
        #expect(plan([Self.folders: [folder]]).last == .create)
        let desired = DesiredObject(
            collection: Self.folders, key: "/data/media/tv", body: [:], compared: ["accessible": true])
        let same = try #require(
            CurrentObject(["id": 2, "path": "/data/media/tv", "accessible": false], matchField: "path"))
        let actions = WiringPlanner().plan(
            app: "sonarr", desired: [desired], current: [Self.folders: [same]],
            owned: owning([(Self.folders.path, "/data/media/tv", 2)]))
        #expect(actions.map(\.change) == [.driftedNotUpdatable(drifted: ["accessible"])])
        #expect(actions.allSatisfy { !$0.changesSomething })
    }

    @Test func planningWhatWasJustAppliedChangesNothing() throws {
        // Idempotence: the state after creating the desired objects plans to nothing.
        let desired = WiringTargets.sabnzbdClient(tv: true, host: "sabnzbd", port: 8080, apiKey: "k3y-k3y-k3y")
        guard case .object(var members) = desired.body else { return }
        members["id"] = 1
        // The app answers the key masked; drift never looks at it.
        members["fields"] = .array(
            (members["fields"]?.array ?? []).map { field in
                field["name"] == "apiKey" ? ["name": "apiKey", "value": "********"] : field
            })
        let current = try #require(CurrentObject(.object(members), matchField: "name"))
        var owned = WiringOwnership()
        owned.record(app: "sonarr", path: desired.collection.path, key: "sabnzbd", id: 1)
        let actions = WiringPlanner().plan(
            app: "sonarr", desired: [desired], current: [desired.collection: [current]], owned: owned)
        #expect(actions.map(\.change) == [.unchanged])
    }
}

@Suite struct WiringTargetsTests {
    func targets(_ env: String, overrides: [ServiceName: URL] = [:]) throws -> (WiringTargets, URL) {
        let folder = try Scratch.folder("wiring")
        let url = folder.appendingPathComponent(".env")
        try env.write(to: url, atomically: true, encoding: .utf8)
        let settings = try Settings.parse(env, path: ".env")
        return (
            WiringTargets(stack: Stack(settings: settings), secrets: EnvSecretStore(url: url), overrides: overrides),
            url
        )
    }

    @Test func addressesComeFromTheCatalogAndTheSettings() throws {
        let (targets, _) = try targets("LAN_IP=192.168.1.10\nSONARR_PORT=18989\n")
        #expect(targets.baseURL("sonarr")?.absoluteString == "http://192.168.1.10:18989")
        #expect(targets.internalURL("sonarr") == "http://sonarr:8989")
        #expect(targets.internalURL("prowlarr") == "http://prowlarr:9696")
        let (overridden, _) = try self.targets(
            "", overrides: try WiringTargets.parseOverrides(["sonarr=http://10.0.0.2:8989"]))
        #expect(overridden.baseURL("sonarr")?.absoluteString == "http://10.0.0.2:8989")
        // Behind the front door the apps' ports answer on loopback only, whatever LAN_IP is.
        let (behind, _) = try self.targets("LAN_IP=192.168.1.10\nSONARR_PORT=18989\nDOMAIN=media.test\n")
        #expect(behind.baseURL("sonarr")?.absoluteString == "http://127.0.0.1:18989")
        #expect(behind.baseURL("jellyseerr")?.absoluteString == "http://127.0.0.1:5055")
    }

    @Test func anAppPublishedOnlyOnLoopbackIsReachedThere() throws {
        // Behind the front door every app but the proxy publishes on 127.0.0.1 alone, whatever LAN_IP says.
        let (targets, _) = try targets(
            """
            LAN_IP=192.168.1.10
            SONARR_PORT=18989
            DOMAIN=media.example.test
            AUTHELIA_SESSION_SECRET=session-secret-0123456789-0123456789
            AUTHELIA_STORAGE_ENCRYPTION_KEY=storage-key-0123456789-0123456789
            AUTHELIA_JWT_SECRET=jwt-secret-0123456789-0123456789

            """)
        #expect(targets.baseURL("sonarr")?.absoluteString == "http://127.0.0.1:18989")
        let probe = ProbeTarget.targets(for: targets.stack).first { $0.service == "sonarr" }
        #expect(probe?.method == .http(url: URL(string: "http://127.0.0.1:18989/ping")!, expectedStatus: 200))
    }

    @Test func badURLOptionsAreUsageErrors() {
        #expect(throws: WiringSetupError.invalidURL("sonarr")) { try WiringTargets.parseOverrides(["sonarr"]) }
        #expect(throws: WiringSetupError.invalidURL("sonarr=ftp://x")) {
            try WiringTargets.parseOverrides(["sonarr=ftp://x"])
        }
        #expect(throws: WiringSetupError.unknownURLTarget("grafana")) {
            try WiringTargets.parseOverrides(["grafana=http://x:3000"])
        }
    }

    @Test func tautulliIsToldPlexAtTheHostGatewayAndWithoutPlexIsNotWired() throws {
        let (withPlex, _) = try targets("TAUTULLI_API_KEY=eeee\n")
        let tautulli = try #require(withPlex.wirings().apps.first { $0.app == "tautulli" } as? TautulliWiring)
        #expect(tautulli.plexHost == "host.docker.internal" && tautulli.plexPort == 32400)
        #expect(tautulli.configFile == "/opt/mediaserver/tautulli/config.ini")
        let (withoutPlex, _) = try targets("DISABLED_SERVICES=plex,overseerr\nTAUTULLI_API_KEY=eeee\n")
        #expect(!withoutPlex.wirings().apps.contains { $0.app == "tautulli" })
    }

    @Test func aMissingKeyIsOneFailureAndTheRestIsStillWired() throws {
        let (targets, _) = try targets("SONARR_API_KEY=aaaa\nRADARR_API_KEY=bbbb\nPROWLARR_API_KEY=cccc\n")
        let (apps, failures) = targets.wirings()
        #expect(failures.prefix(2).map(\.app) == ["sonarr", "radarr"])
        #expect(failures.prefix(2).allSatisfy { $0.description.contains("SABNZBD_API_KEY is not set") })
        // Seerr's keys: a failure when init generates them, a person's step when the app makes them.
        for seerr: ServiceName in ["jellyseerr", "overseerr"] {
            guard case .generated = Catalog.services.first(where: { $0.name == seerr })?.apiKey?.origin else {
                #expect(apps.contains { $0.app == seerr && $0 is PendingKeyWiring })
                #expect(!failures.contains { $0.app == seerr })
                continue
            }
            #expect(failures.contains { $0.app == seerr && $0.description.contains("_API_KEY is not set") })
        }
        #expect(apps.prefix(5).map(\.app) == ["prowlarr", "sonarr", "radarr", "jellyfin", "plex"])
        let sonarr = try #require(apps.first { $0.app == "sonarr" } as? ServarrWiring)
        #expect(sonarr.desired.map(\.key) == ["/data/media/tv"])
    }

    @Test func disabledAppsAreNeitherWiredNorWiredTo() throws {
        let (targets, _) = try targets(
            "DISABLED_SERVICES=radarr,jellyfin,overseerr\nSONARR_API_KEY=aaaa\nPROWLARR_API_KEY=cccc\nSABNZBD_API_KEY=dddd\n"
                + "TAUTULLI_API_KEY=eeee\n"
        )
        let (apps, failures) = targets.wirings()
        #expect(failures.isEmpty)
        #expect(apps.map(\.app) == ["prowlarr", "sonarr", "plex", "plex", "tautulli"])
        let prowlarr = try #require(apps.first as? ServarrWiring)
        #expect(prowlarr.desired.map(\.key) == ["Sonarr"])
    }
}

@Suite struct WiringMessagesTests {
    @Test func servarrValidationFailuresBecomeTheAppsOwnWords() {
        let body = Data(
            #"[{"propertyName":"Name","errorMessage":"Should be unique"},{"propertyName":"ApiKey","errorMessage":"API Key is required when username/password are not configured"}]"#
                .utf8)
        let failure = WiringFailure.refused(
            app: "sonarr", request: WiringRequest("POST", "/api/v3/downloadclient?forceSave=true"),
            response: WiringResponse(status: 400, body: body), keySetting: "SONARR_API_KEY", secrets: [])
        #expect(
            failure.description
                == "sonarr: POST /api/v3/downloadclient failed: HTTP 400: Name: Should be unique; ApiKey: API Key is"
                + " required when username/password are not configured; fix: correct what sonarr names above (the"
                + " value comes from .env or the catalog), or change it in sonarr's web UI, then run `mediaserver wire`"
                + " again")
    }

    @Test func aSecretEchoedByTheAppIsRedacted() {
        let failure = WiringFailure.refused(
            app: "prowlarr", request: WiringRequest("POST", "/api/v1/applications"),
            response: WiringResponse(status: 400, body: Data(#"{"message":"bad key 0123456789abcdef"}"#.utf8)),
            keySetting: nil, secrets: ["0123456789abcdef"])
        #expect(failure.message == "bad key <redacted>")
    }

    @Test func aSecretIsStoredInItsOwnLineWithMode600() throws {
        let folder = try Scratch.folder("wiring")
        let url = folder.appendingPathComponent(".env")
        try "# mine\nTZ=Europe/Berlin\nJELLYFIN_API_KEY=\nPUID=1000 # me\n".write(
            to: url, atomically: true, encoding: .utf8)
        let store = EnvSecretStore(url: url)
        #expect(store["JELLYFIN_API_KEY"] == nil)
        try store.set("JELLYFIN_API_KEY", "feedface")
        try store.set("PLEX_TOKEN", "abc def")
        #expect(
            try String(contentsOf: url, encoding: .utf8)
                == "# mine\nTZ=Europe/Berlin\nJELLYFIN_API_KEY=feedface\nPUID=1000 # me\nPLEX_TOKEN=\"abc def\"\n")
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(EnvSecretStore(url: url)["PLEX_TOKEN"] == "abc def")
    }
}

@Suite struct PlexTokenWiringTests {
    func context(_ env: String) throws -> (WiringContext, URL) {
        let folder = try Scratch.folder("plex")
        try env.write(to: folder.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let context = WiringContext(
            transport: URLSessionWiringTransport(), timeout: .seconds(1),
            secrets: EnvSecretStore(url: folder.appendingPathComponent(".env")), ownership: WiringOwnership())
        return (context, folder)
    }

    @Test func theTokenOfAClaimedServerIsStoredOnce() async throws {
        let (context, folder) = try context("PLEX_TOKEN=\n")
        let preferences = PlexTokenWiring.preferences(configRoot: folder.path)
        #expect(
            preferences.path.hasSuffix("/plex/config/Library/Application Support/Plex Media Server/Preferences.xml"))
        try FileManager.default.createDirectory(
            at: preferences.deletingLastPathComponent(), withIntermediateDirectories: true)
        try
            #"<?xml version="1.0" encoding="utf-8"?>\#n<Preferences MachineIdentifier="m1" PlexOnlineToken="tok-EN_42" PlexOnlineUsername="me"/>"#
            .write(to: preferences, atomically: true, encoding: .utf8)
        let wiring = PlexTokenWiring(preferences: preferences)
        let plan = try await wiring.plan(context)
        #expect(plan.map(\.change) == [.create])
        for action in plan { try await wiring.apply(action, context) }
        #expect(context.secrets["PLEX_TOKEN"] == "tok-EN_42")
        #expect(try await wiring.plan(context).map(\.change) == [.unchanged])
        // Claimed again: Preferences.xml holds a new token, which replaces the old one in .env.
        try #"<Preferences MachineIdentifier="m1" PlexOnlineToken="tok-NEW_43"/>"#
            .write(to: preferences, atomically: true, encoding: .utf8)
        let again = try await wiring.plan(context)
        #expect(again.map(\.change) == [.update(drifted: ["Plex's PlexOnlineToken"])])
        #expect(!again.map(\.description).joined().contains("tok-"))
        for action in again { try await wiring.apply(action, context) }
        #expect(context.secrets["PLEX_TOKEN"] == "tok-NEW_43")
        #expect(try String(contentsOf: folder.appendingPathComponent(".env"), encoding: .utf8).contains("tok-NEW_43"))
        // A Preferences.xml that is gone (Plex reset, not yet claimed) leaves the stored token alone.
        try FileManager.default.removeItem(at: preferences)
        #expect(try await wiring.plan(context).map(\.change) == [.unchanged])
    }

    @Test func anUnclaimedServerGetsTheClaimSteps() async throws {
        let (context, folder) = try context("")
        let preferences = PlexTokenWiring.preferences(configRoot: folder.path)
        // Never started, then started without a claim: no token either way.
        #expect(
            try await PlexTokenWiring(preferences: preferences).plan(context).map(\.change) == [
                .needsPerson(PlexTokenWiring.claimSteps)
            ])
        try FileManager.default.createDirectory(
            at: preferences.deletingLastPathComponent(), withIntermediateDirectories: true)
        try #"<Preferences MachineIdentifier="m1" ProcessedMachineIdentifier="p1"/>"#.write(
            to: preferences, atomically: true, encoding: .utf8)
        let plan = try await PlexTokenWiring(preferences: preferences).plan(context)
        #expect(plan.first?.description.contains("https://plex.tv/claim") == true)
        #expect(plan.allSatisfy { !$0.changesSomething })
    }
}

@Suite struct TautulliConnectionStateTests {
    static let token = "ownerToken"

    func state(_ text: String) throws -> TautulliWiring.State {
        TautulliWiring.state(
            of: try ConfigObjDocument(text, path: "config.ini"), token: Self.token, host: "host.docker.internal",
            port: 32400)
    }

    @Test func tautullisOwnDefaultsNameNoServer() throws {
        // What Tautulli writes at its first start (plexpy/config.py defaults), and a file it never wrote.
        let defaults = """
            [General]
            first_run_complete = 0
            [PMS]
            pms_identifier = ""
            pms_ip = 127.0.0.1
            pms_port = 32400
            pms_ssl = 0
            pms_token = ""
            pms_url = ""
            pms_url_manual = 0
            pms_is_remote = 0
            pms_uuid = 0a1b2c
            """
        #expect(try state(defaults) == .unconnected)
        #expect(try state("") == .unconnected)
    }

    @Test(arguments: [
        "[General]\nfirst_run_complete = 1\n",
        "[PMS]\npms_ip = 192.168.1.50\n",
        "[PMS]\npms_token = fromTheWizard\n",
        "[PMS]\npms_port = 32401\n",
        "[General]\nfirst_run_complete = 1\n[PMS]\npms_ip = 192.168.1.50\npms_port = 32400\n"
            + "pms_token = ownerToken\npms_identifier = m1\n",
    ])
    func aServerSomeoneChoseIsTheirs(text: String) throws {
        #expect(try state(text) == .theirs)
    }

    @Test func theServerWireWroteIsOurs() throws {
        let ours = """
            [General]
            first_run_complete = 1
            [PMS]
            pms_ip = host.docker.internal
            pms_port = 32400
            pms_url = http://host.docker.internal:32400
            pms_identifier = m1
            pms_token = ownerToken
            """
        #expect(try state(ours) == .ours)
        let document = try ConfigObjDocument(ours, path: "config.ini")
        let compared = { (identifier: String) in
            TautulliWiring.state(
                of: document, token: Self.token, identifier: identifier, host: "host.docker.internal", port: 32400)
        }
        #expect(compared("m1") == .ours)
        // Plex set up anew at the same address.
        #expect(compared("m2") == .stale(drifted: ["pms_identifier"]))
        // Plex claimed again: .env holds the new token, the file the old one.
        let reclaimed = TautulliWiring.state(
            of: document, token: "newOwnerToken", identifier: "m2", host: "host.docker.internal", port: 32400)
        #expect(reclaimed == .stale(drifted: ["pms_token", "pms_identifier"]))
        // Written without an identifier: it is filled in.
        #expect(
            try state(ours.replacingOccurrences(of: "pms_identifier = m1", with: ""))
                == .stale(drifted: ["pms_identifier"]))
    }
}
