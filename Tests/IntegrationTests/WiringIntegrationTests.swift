import Foundation
import MediaStack
import MediaStackOperations
import Testing

/// `mediaserver wire` against stateful contract fakes of Prowlarr, Sonarr, Radarr, Jellyfin, Plex, Seerr and plex.tv,
/// started on loopback (the fakes the end-to-end run uses as the apps' stand-in images).
@Suite(.serialized)
struct WiringIntegrationTests {
    static let sonarrKey = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
    static let radarrKey = "7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b"
    static let prowlarrKey = "9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c"
    static let sabnzbdKey = "3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d"
    static let jellyseerrKey = "4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e"
    static let overseerrKey = "6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f"
    static let tautulliKey = "8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a"
    static let plexToken = "plexOwnerToken-1234"

    /// Four fakes, a checkout whose .env holds the keys, and the folders the apps check root folders against.
    struct Lab {
        let root: URL
        let fsRoot: URL
        let sonarr: AppFake
        let radarr: AppFake
        let prowlarr: AppFake
        let jellyfin: AppFake
        let jellyseerr: AppFake

        let overseerr: AppFake
        let plexTV: AppFake
        let plex: AppFake

        /// With `plexClaimed`, Plex's Preferences.xml under CONFIG_ROOT holds the owner's token; Plex itself accepts
        /// `plexServerToken`.
        init(
            sonarrKeyInEnv: String = WiringIntegrationTests.sonarrKey, mediaFolders: [String] = ["tv", "movies"],
            plexClaimed: Bool = false, plexServerToken: String = WiringIntegrationTests.plexToken
        ) throws {
            guard IntegrationSupport.tool("python3") != nil else { throw CancellationError() }
            let scratch = try IntegrationSupport.scratchCheckout()
            let configRoot = scratch.appendingPathComponent("config")
            if plexClaimed {
                let preferences = PlexTokenWiring.preferences(configRoot: configRoot.path)
                try FileManager.default.createDirectory(
                    at: preferences.deletingLastPathComponent(), withIntermediateDirectories: true)
                try #"<Preferences MachineIdentifier="m" PlexOnlineToken="\#(WiringIntegrationTests.plexToken)"/>"#
                    .write(to: preferences, atomically: true, encoding: .utf8)
            }
            root = try IntegrationSupport.scratchCheckout(
                env: """
                    SONARR_API_KEY=\(sonarrKeyInEnv)
                    RADARR_API_KEY=\(WiringIntegrationTests.radarrKey)
                    PROWLARR_API_KEY=\(WiringIntegrationTests.prowlarrKey)
                    SABNZBD_API_KEY=\(WiringIntegrationTests.sabnzbdKey)
                    JELLYSEERR_API_KEY=\(WiringIntegrationTests.jellyseerrKey)
                    OVERSEERR_API_KEY=\(WiringIntegrationTests.overseerrKey)
                    TAUTULLI_API_KEY=\(WiringIntegrationTests.tautulliKey)
                    CONFIG_ROOT=\(configRoot.path)
                    \(plexClaimed ? "DISABLED_SERVICES=tautulli" : "")

                    """)
            try FileManager.default.setAttributes(
                [.posixPermissions: 0o600], ofItemAtPath: root.appendingPathComponent(".env").path)
            fsRoot = root.appendingPathComponent("fs")
            for folder in mediaFolders {
                try FileManager.default.createDirectory(
                    at: fsRoot.appendingPathComponent("data/media/\(folder)"), withIntermediateDirectories: true)
            }
            sonarr = try AppFake("sonarr", apiKey: WiringIntegrationTests.sonarrKey, fsRoot: fsRoot)
            radarr = try AppFake("radarr", apiKey: WiringIntegrationTests.radarrKey, fsRoot: fsRoot)
            prowlarr = try AppFake("prowlarr", apiKey: WiringIntegrationTests.prowlarrKey, fsRoot: fsRoot)
            jellyfin = try AppFake("jellyfin", apiKey: nil, fsRoot: fsRoot)
            // Seerr calls Jellyfin itself, at the name it has on media_net.
            jellyseerr = try AppFake(
                "seerr", apiKey: WiringIntegrationTests.jellyseerrKey, fsRoot: fsRoot,
                extra: ["--resolve", "jellyfin:8096=127.0.0.1:\(jellyfin.port)"])
            // Seerr looks a Plex token up at plex.tv; a stand-in answers for the owner's token.
            plexTV = try AppFake("plextv", apiKey: WiringIntegrationTests.plexToken, fsRoot: fsRoot)
            plex = try AppFake("plex", apiKey: plexServerToken, fsRoot: fsRoot)
            // Overseerr reaches Plex (host network) through the host gateway.
            overseerr = try AppFake(
                "seerr", apiKey: WiringIntegrationTests.overseerrKey, fsRoot: fsRoot,
                extra: [
                    "--plex-tv", plexTV.url.absoluteString, "--resolve",
                    "host.docker.internal:32400=127.0.0.1:\(plex.port)",
                ])
        }

        var urls: [String] {
            [sonarr, radarr, prowlarr, jellyfin].flatMap { ["--url", "\($0.app)=\($0.url.absoluteString)"] }
                + ["--url", "jellyseerr=\(jellyseerr.url.absoluteString)"]
                + ["--url", "overseerr=\(overseerr.url.absoluteString)", "--url", "plex=\(plex.url.absoluteString)"]
        }

        /// A call to Plex with the token it accepts, answered as JSON.
        func plexCall(_ method: String, _ path: String) async throws -> WiringResponse {
            try await URLSessionWiringTransport().send(
                WiringRequest(
                    method, path, headers: ["X-Plex-Token": plex.apiKey ?? "", "Accept": "application/json"]),
                to: plex.url, timeout: .seconds(10))
        }

        /// Plex's libraries, as it lists them.
        func plexSections() async throws -> [WireJSON] {
            let response = try await plexCall("GET", "/library/sections")
            #expect(response.status == 200, "GET /library/sections on the Plex fake answered \(response.status)")
            return response.json?["MediaContainer"]?["Directory"]?.array ?? []
        }

        func wire(_ extra: [String] = []) async throws -> ProcessOutput {
            try await IntegrationSupport.mediaserver(["wire", "--root", root.path] + urls + extra)
        }

        var env: String { (try? String(contentsOf: root.appendingPathComponent(".env"), encoding: .utf8)) ?? "" }

        func envValue(_ key: String) -> String? {
            env.split(separator: "\n").first { $0.hasPrefix("\(key)=") }.map { String($0.dropFirst(key.count + 1)) }
        }

        func stop() {
            for fake in [sonarr, radarr, prowlarr, jellyfin, jellyseerr, overseerr, plexTV, plex] { fake.stop() }
            try? FileManager.default.removeItem(at: root)
        }
    }

    static func field(_ object: WireJSON, _ name: String) -> WireJSON? {
        object["fields"]?.array?.first { $0["name"]?.string == name }?["value"]
    }

    static func secrets(_ lab: Lab) -> [String] {
        [sonarrKey, radarrKey, prowlarrKey, sabnzbdKey, jellyseerrKey, overseerrKey, tautulliKey, plexToken]
            + ["JELLYFIN_API_KEY", "JELLYFIN_ADMIN_PASSWORD"].compactMap {
                lab.envValue($0)
            }
    }

    @Test func wiresEveryAppThenASecondRunChangesNothing() async throws {
        let lab = try Lab(plexClaimed: true)
        defer { lab.stop() }

        let plan = try await lab.wire(["--dry-run"])
        #expect(plan.status == 0, "\(plan.standardError)")
        #expect(plan.standardOutput.contains("sonarr: would create download client \"SABnzbd\""))
        #expect(try await lab.sonarr.list("/api/v3/downloadclient").isEmpty, "a dry run changed Sonarr")
        // Plex is read with the token of Preferences.xml before it is in .env.
        #expect(plan.standardOutput.contains("plex: would create library \"TV Shows\""))
        #expect(plan.standardOutput.contains("overseerr: would create Plex server \"host.docker.internal:32400\""))
        #expect(!plan.standardError.contains("need you"), "\(plan.standardOutput)")
        #expect(try await lab.plexSections().isEmpty, "a dry run changed Plex")
        #expect(lab.envValue("PLEX_TOKEN") == nil, "a dry run stored the token")

        let first = try await lab.wire()
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardError.contains("every app is wired"))
        #expect(!first.standardError.contains("need you"), "\(first.standardOutput)")
        // Plex is claimed: its token went to .env, and Plex has a Movies and a TV Shows library on the media folders
        // it mounts, with its current agents and scanners.
        #expect(lab.envValue("PLEX_TOKEN") == Self.plexToken)
        let sections = try await lab.plexSections().map { section in
            [
                section["title"], section["type"], section["agent"], section["scanner"], section["language"],
                section["Location"]?.array?.first?["path"],
            ].map { $0?.string ?? "-" }.joined(separator: " | ")
        }
        #expect(
            sections == [
                "Movies | movie | tv.plex.agents.movie | Plex Movie | en-US | /data/media/movies",
                "TV Shows | show | tv.plex.agents.series | Plex TV Series | en-US | /data/media/tv",
            ])
        // Overseerr signed in with the token (plex.tv knows the owner), reaches this Plex through the host gateway,
        // has both libraries enabled, Sonarr and Radarr, and its setup is complete.
        #expect(try await lab.overseerr.call("GET", "/api/v1/settings/main").status == 200)
        let overseerrPlex = try #require(try await lab.overseerr.call("GET", "/api/v1/settings/plex").json)
        #expect(overseerrPlex["ip"] == "host.docker.internal")
        #expect(overseerrPlex["port"]?.int == 32400)
        let identity = try await lab.plexCall("GET", "/identity").json?["MediaContainer"]?["machineIdentifier"]
        #expect(identity != nil && overseerrPlex["machineId"] == identity)
        let overseerrEnabled = (overseerrPlex["libraries"]?.array ?? []).filter { $0["enabled"] == true }
        #expect(overseerrEnabled.compactMap { $0["name"]?.string }.sorted() == ["Movies", "TV Shows"])
        #expect(try await lab.overseerr.list("/api/v1/settings/sonarr").first?["activeDirectory"] == "/data/media/tv")
        #expect(try await lab.overseerr.list("/api/v1/settings/radarr").count == 1)
        #expect(try await lab.overseerr.call("GET", "/api/v1/settings/public").json?["initialized"] == true)

        // Prowlarr → Sonarr and Radarr, at their addresses on media_net, with their keys.
        let applications = try await lab.prowlarr.list("/api/v1/applications")
        #expect(applications.compactMap { $0["name"]?.string }.sorted() == ["Radarr", "Sonarr"])
        let sonarrApp = try #require(applications.first { $0["name"]?.string == "Sonarr" })
        #expect(Self.field(sonarrApp, "baseUrl")?.string == "http://sonarr:8989")
        #expect(Self.field(sonarrApp, "prowlarrUrl")?.string == "http://prowlarr:9696")
        #expect(sonarrApp["syncLevel"]?.string == "fullSync")

        // Sonarr and Radarr → SABnzbd with their categories, and their root folders.
        for (fake, category, value, folder) in [
            (lab.sonarr, "tvCategory", "tv", "/data/media/tv"),
            (lab.radarr, "movieCategory", "movies", "/data/media/movies"),
        ] {
            let clients = try await fake.list("/api/v3/downloadclient")
            #expect(clients.count == 1)
            let client = try #require(clients.first)
            #expect(client["implementation"]?.string == "Sabnzbd")
            #expect(Self.field(client, "host")?.string == "sabnzbd")
            #expect(Self.field(client, "port")?.int == 8080)
            #expect(Self.field(client, category)?.string == value)
            #expect(try await fake.list("/api/v3/rootfolder").compactMap { $0["path"]?.string } == [folder])
        }

        // Jellyfin: wizard completed, key stored in .env (mode 600) and accepted, libraries on the media folders.
        let key = try #require(lab.envValue("JELLYFIN_API_KEY"))
        #expect(lab.envValue("JELLYFIN_ADMIN_PASSWORD")?.count == 32)
        let mode =
            try FileManager.default.attributesOfItem(atPath: lab.root.appendingPathComponent(".env").path)[
                .posixPermissions] as? Int
        #expect(mode == 0o600)
        let libraries = try await lab.jellyfin.list("/Library/VirtualFolders", token: key)
        #expect(libraries.compactMap { $0["Name"]?.string }.sorted() == ["Movies", "Shows"])
        #expect(libraries.first { $0["Name"]?.string == "Shows" }?["Locations"] == ["/data/media/tv"])

        // Jellyseerr: signed in to Jellyfin (the admin became its user 1), both libraries enabled, Sonarr and Radarr
        // as servers with a quality profile the apps offer, setup complete.
        let seerrServers = try await lab.jellyseerr.list("/api/v1/settings/sonarr")
        #expect(seerrServers.count == 1)
        let seerrSonarr = try #require(seerrServers.first)
        #expect(seerrSonarr["hostname"] == "sonarr")
        #expect(seerrSonarr["port"]?.int == 8989)
        #expect(seerrSonarr["activeProfileName"] == "HD-1080p")
        #expect(seerrSonarr["activeDirectory"] == "/data/media/tv")
        #expect(
            try await lab.jellyseerr.list("/api/v1/settings/radarr").first?["activeDirectory"] == "/data/media/movies")
        let seerrJellyfin = try #require(try await lab.jellyseerr.call("GET", "/api/v1/settings/jellyfin").json)
        #expect(seerrJellyfin["ip"] == "jellyfin")
        let enabled = (seerrJellyfin["libraries"]?.array ?? []).filter { $0["enabled"] == true }.compactMap {
            $0["name"]?.string
        }
        #expect(enabled.sorted() == ["Movies", "Shows"])
        #expect(try await lab.jellyseerr.call("GET", "/api/v1/settings/public").json?["initialized"] == true)
        #expect(try await lab.jellyseerr.call("GET", "/api/v1/request/count").status == 200)
        // The front door is off: Seerr's proxy trust is left as it was.
        #expect(try await lab.jellyseerr.call("GET", "/api/v1/settings/network").json?["trustProxy"] == false)

        // Idempotent: the second run changes nothing and says so; the apps hold the same objects.
        let before = try await lab.sonarr.list("/api/v3/downloadclient")
        let plexBefore = try await lab.plexSections()
        let overseerrBefore = try await lab.overseerr.call("GET", "/api/v1/settings/plex").json
        let second = try await lab.wire()
        // Plex's own wiring needs a Plex at 127.0.0.1:32400 once claimed, which this lab does not start.
        #expect(
            !second.standardError.contains("error: jellyseerr") && !second.standardError.contains("error: overseerr"),
            "\(second.standardError)")
        #expect(second.standardError.contains("nothing changed"))
        #expect(!second.standardOutput.contains("done:"))
        #expect(try await lab.sonarr.list("/api/v3/downloadclient") == before)
        #expect(try await lab.prowlarr.list("/api/v1/applications").count == 2)
        #expect(try await lab.jellyseerr.list("/api/v1/settings/sonarr").count == 1)
        #expect(try await lab.plexSections() == plexBefore)
        #expect(try await lab.overseerr.call("GET", "/api/v1/settings/plex").json == overseerrBefore)
        #expect(second.standardOutput.contains("plex: library \"Movies\" is as desired"))
        #expect(second.standardOutput.contains("overseerr: library sync \"Movies, TV Shows\" is as desired"))

        // No secret in any output, JSON included.
        let json = try await lab.wire(["--json"])
        let report = try #require(WireJSON.parse(Data(json.standardOutput.utf8)))
        #expect(report["changed"] == false)
        for output in [plan, first, second, json] {
            for secret in Self.secrets(lab) {
                #expect(!(output.standardOutput + output.standardError).contains(secret), "a secret was printed")
            }
        }
    }

    /// Behind the front door each Seerr trusts Caddy's X-Forwarded-For once someone has signed in; the setting takes
    /// effect at Seerr's next start, and turning the front door off leaves it on.
    @Test func behindTheFrontDoorSeerrTrustsTheProxyOnceSignedInAndKeepsIt() async throws {
        let lab = try Lab()
        defer { lab.stop() }
        let envURL = lab.root.appendingPathComponent(".env")
        let plain = lab.env
        let frontDoor =
            plain + """
                DOMAIN=media.example.test
                AUTHELIA_SESSION_SECRET=\(String(repeating: "s", count: 64))
                AUTHELIA_STORAGE_ENCRYPTION_KEY=\(String(repeating: "k", count: 64))
                AUTHELIA_JWT_SECRET=\(String(repeating: "j", count: 64))

                """
        try frontDoor.write(to: envURL, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: envURL.path)

        // Plex is unclaimed, so Overseerr has no user yet and its settings answer 403: its proxy trust waits.
        let first = try await lab.wire()
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("jellyseerr: done: create proxy trust \"X-Forwarded-For from Caddy\""))
        #expect(first.standardOutput.contains("overseerr: proxy trust \"X-Forwarded-For from Caddy\": waits for the"))
        #expect(try await lab.jellyseerr.call("GET", "/api/v1/settings/network").json?["trustProxy"] == true)
        // Express reads it at start: Seerr says a restart is due (`mediaserver up` restarts it).
        #expect(try await lab.jellyseerr.call("GET", "/api/v1/status").json?["restartRequired"] == true)

        // Claimed: Overseerr signs in with the owner's token, then trusts the proxy too.
        let preferences = PlexTokenWiring.preferences(configRoot: try #require(lab.envValue("CONFIG_ROOT")))
        try FileManager.default.createDirectory(
            at: preferences.deletingLastPathComponent(), withIntermediateDirectories: true)
        try #"<Preferences MachineIdentifier="m" PlexOnlineToken="\#(Self.plexToken)"/>"#
            .write(to: preferences, atomically: true, encoding: .utf8)
        let second = try await lab.wire()
        // Plex's own wiring needs a Plex at 127.0.0.1:32400 once claimed, which this lab does not start.
        #expect(
            !second.standardError.contains("error: jellyseerr") && !second.standardError.contains("error: overseerr"),
            "\(second.standardError)")
        #expect(
            second.standardOutput.contains("overseerr: done: create proxy trust"),
            "\(second.standardOutput)\n\(second.standardError)")
        #expect(second.standardOutput.contains("jellyseerr: proxy trust \"X-Forwarded-For from Caddy\" is as desired"))
        #expect(try await lab.overseerr.call("GET", "/api/v1/settings/network").json?["trustProxy"] == true)

        // Seerr validates the body against its OpenAPI schema; the wiring sends only a boolean.
        let refused = try await lab.jellyseerr.call("POST", "/api/v1/settings/network", body: ["trustProxy": "yes"])
        #expect(refused.status == 400)
        #expect(refused.json?["message"] == "request.body.trustProxy should be boolean")

        // Front door off again: nothing turns the value off.
        let withoutDomain = lab.env.split(separator: "\n", omittingEmptySubsequences: false).filter {
            !$0.hasPrefix("DOMAIN=")
        }
        try withoutDomain.joined(separator: "\n").write(to: envURL, atomically: true, encoding: .utf8)
        let off = try await lab.wire()
        // Plex's own wiring needs a Plex at 127.0.0.1:32400 once claimed, which this lab does not start.
        #expect(
            !off.standardError.contains("error: jellyseerr") && !off.standardError.contains("error: overseerr"),
            "\(off.standardError)")
        #expect(!off.standardOutput.contains("proxy trust"))
        for seerr in [lab.jellyseerr, lab.overseerr] {
            #expect(try await seerr.call("GET", "/api/v1/settings/network").json?["trustProxy"] == true)
        }
        for output in [first, second, off] {
            for secret in Self.secrets(lab) {
                #expect(!(output.standardOutput + output.standardError).contains(secret), "a secret was printed")
            }
        }
    }

    @Test func leavesAnObjectMadeByHandAloneAndUpdatesItsOwnDrift() async throws {
        let lab = try Lab()
        defer { lab.stop() }
        // A person already added SABnzbd to Sonarr by hand, pointing at another host.
        let handMade: WireJSON = [
            "name": "sabnzbd", "implementation": "Sabnzbd", "configContract": "SabnzbdSettings", "enable": true,
            "protocol": "usenet", "priority": 1,
            "fields": [
                ["name": "host", "value": "nas.local"], ["name": "port", "value": 8085],
                ["name": "apiKey", "value": "0123456789abcdef"], ["name": "tvCategory", "value": "series"],
            ],
        ]
        #expect(try await lab.sonarr.call("POST", "/api/v3/downloadclient", body: handMade).status == 201)

        let first = try await lab.wire()
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("sonarr: download client \"SABnzbd\" was made by hand: left alone"))
        let clients = try await lab.sonarr.list("/api/v3/downloadclient")
        #expect(clients.count == 1)
        #expect(Self.field(try #require(clients.first), "host")?.string == "nas.local")

        // Radarr's client is ours: a change made to it since is drift, and the next run puts it back.
        let radarrClient = try #require(try await lab.radarr.list("/api/v3/downloadclient").first)
        let id = try #require(radarrClient["id"]?.int)
        guard case .object(var members) = radarrClient else { return }
        members["fields"] = .array(
            (radarrClient["fields"]?.array ?? []).map { field in
                guard field["name"]?.string == "movieCategory", case .object(var entry) = field else { return field }
                entry["value"] = "films"
                return .object(entry)
            })
        #expect(try await lab.radarr.call("PUT", "/api/v3/downloadclient/\(id)", body: .object(members)).status == 202)

        let plan = try await lab.wire(["--dry-run"])
        #expect(
            plan.standardOutput.contains(
                "radarr: would update download client \"SABnzbd\" (fields.movieCategory drifted)"))
        let second = try await lab.wire()
        // Plex's own wiring needs a Plex at 127.0.0.1:32400 once claimed, which this lab does not start.
        #expect(
            !second.standardError.contains("error: jellyseerr") && !second.standardError.contains("error: overseerr"),
            "\(second.standardError)")
        let repaired = try #require(try await lab.radarr.list("/api/v3/downloadclient").first)
        #expect(Self.field(repaired, "movieCategory")?.string == "movies")
        #expect(repaired["id"]?.int == id)
        // The hand-made client is still untouched.
        #expect(
            Self.field(try #require(try await lab.sonarr.list("/api/v3/downloadclient").first), "host") == "nas.local")
    }

    @Test func anAppThatRefusesOrIsDownGetsOneLineAndTheOthersAreStillWired() async throws {
        // Sonarr's key in .env is not Sonarr's; Radarr's movies folder does not exist; Jellyfin is down.
        let lab = try Lab(sonarrKeyInEnv: "0000aaaa0000aaaa0000aaaa0000aaaa", mediaFolders: ["tv"])
        defer { lab.stop() }
        lab.jellyfin.stop()

        let run = try await lab.wire()
        #expect(run.status == 1)
        let lines = run.standardError.split(separator: "\n").map(String.init)
        let sonarr = lines.filter { $0.hasPrefix("error: sonarr:") }
        #expect(sonarr.count == 1)
        #expect(sonarr.first?.contains("GET /api/v3/downloadclient failed: HTTP 401") == true)
        #expect(sonarr.first?.contains("fix: SONARR_API_KEY in .env") == true)
        let radarr = lines.filter { $0.hasPrefix("error: radarr:") }
        #expect(radarr.count == 1)
        #expect(
            radarr.first?.contains(
                "POST /api/v3/rootfolder failed: HTTP 400: Path: Path '/data/media/movies' does not exist") == true)
        let jellyfin = lines.filter { $0.hasPrefix("error: jellyfin:") }
        #expect(jellyfin.first?.contains("connection refused") == true)
        #expect(jellyfin.first?.contains("fix: start it") == true)
        #expect(run.standardError.contains("4 of 8 apps could not be wired (sonarr, radarr, jellyfin, jellyseerr)"))
        // Plex was never claimed here: the claim steps, for Plex and for Overseerr, are not failures.
        #expect(run.standardOutput.contains("plex: token \"PLEX_TOKEN in .env\": Plex is not claimed yet"))
        #expect(run.standardOutput.contains("overseerr: media server \"Plex\": Plex has no token in .env yet"))
        #expect(
            run.standardOutput.contains(
                "tautulli: Plex server \"host.docker.internal:32400\": Plex has no token in .env yet"))
        #expect(!run.standardOutput.contains("plex: would") && !run.standardOutput.contains("library \"Movies\""))
        #expect(try await lab.plexSections().isEmpty)
        // Jellyseerr signs in to Jellyfin with the password Jellyfin's wiring stores, which never happened.
        #expect(
            lines.contains {
                $0.hasPrefix(
                    "error: jellyseerr: POST /api/v1/auth/jellyfin failed: .env has no JELLYFIN_ADMIN_PASSWORD")
            })

        // Prowlarr was wired all the same, and Radarr got its download client before the refusal.
        #expect(try await lab.prowlarr.list("/api/v1/applications").count == 2)
        #expect(try await lab.radarr.list("/api/v3/downloadclient").count == 1)
        for secret in Self.secrets(lab) + ["0000aaaa0000aaaa0000aaaa0000aaaa"] {
            #expect(!(run.standardOutput + run.standardError).contains(secret))
        }
    }

    @Test func jellyseerrKeepsALibraryAPersonEnabledWhenItEnablesItsOwn() async throws {
        let lab = try Lab(mediaFolders: ["tv", "movies", "docs"])
        defer { lab.stop() }
        #expect(try await lab.wire().status == 0)
        // The owner adds a Jellyfin library, enables it in Jellyseerr and turns Shows off there.
        let key = try #require(lab.envValue("JELLYFIN_API_KEY"))
        let add = "/Library/VirtualFolders?name=Docs&collectionType=movies&paths=%2Fdata%2Fmedia%2Fdocs"
        #expect(try await lab.jellyfin.call("POST", add, body: ["LibraryOptions": [:]], token: key).status == 204)
        let synced = try await lab.jellyseerr.list("/api/v1/settings/jellyfin/library?sync=true")
        let chosen = synced.filter { $0["name"] != "Shows" }.compactMap { $0["id"]?.string }
        #expect(chosen.count == 2)
        let choose = "/api/v1/settings/jellyfin/library?enable=\(chosen.joined(separator: ","))"
        #expect(try await lab.jellyseerr.call("GET", choose).status == 200)

        // The next run enables Shows again and keeps Docs, which the sync alone would turn off.
        let run = try await lab.wire()
        #expect(run.status == 0, "\(run.standardError)")
        let libraries = try await lab.jellyseerr.call("GET", "/api/v1/settings/jellyfin").json?["libraries"]
        let enabled = (libraries?.array ?? []).filter { $0["enabled"] == true }.compactMap { $0["name"]?.string }
        #expect(enabled.sorted() == ["Docs", "Movies", "Shows"])
    }

    @Test func plexLibrariesAPersonMadeAreLeftAloneAndOverseerrEnablesTheOnesOnTheMediaFolders() async throws {
        let lab = try Lab(mediaFolders: ["tv", "movies", "home"], plexClaimed: true)
        defer { lab.stop() }
        // The owner already made a TV library of their own on the TV folder, and one for home videos.
        for query in [
            "name=Series&type=show&agent=tv.plex.agents.series&scanner=Plex%20TV%20Series&language=de-DE"
                + "&location=%2Fdata%2Fmedia%2Ftv",
            "name=Home%20Videos&type=movie&agent=tv.plex.agents.none&scanner=Plex%20Video%20Files%20Scanner"
                + "&language=xn&location=%2Fdata%2Fmedia%2Fhome",
        ] {
            #expect(try await lab.plexCall("POST", "/library/sections?\(query)").status == 200)
        }
        let theirs = try await lab.plexSections()

        let first = try await lab.wire()
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("plex: library \"Series\" was made by hand: left alone"))
        #expect(first.standardOutput.contains("plex: done: create library \"Movies\""))
        let sections = try await lab.plexSections()
        #expect(Array(sections.prefix(2)) == theirs, "a library the owner made was changed")
        #expect(sections.compactMap { $0["title"]?.string } == ["Series", "Home Videos", "Movies"])

        // Overseerr enables the libraries on the media folders, whoever made them, and not the others.
        let libraries = try #require(try await lab.overseerr.call("GET", "/api/v1/settings/plex").json?["libraries"])
        let enabled = (libraries.array ?? []).filter { $0["enabled"] == true }.compactMap { $0["name"]?.string }
        #expect(enabled.sorted() == ["Movies", "Series"])
        #expect((libraries.array ?? []).contains { $0["name"] == "Home Videos" && $0["enabled"] == false })

        // The owner since enabled Home Videos in Overseerr and turned Movies off: the next run turns Movies on again
        // and keeps what the owner enabled, which the sync alone would turn off.
        let chosen = (libraries.array ?? []).filter { $0["name"] != "Movies" }.compactMap { $0["id"]?.string }
        let choose = "/api/v1/settings/plex/library?enable=\(chosen.joined(separator: ","))"
        #expect(try await lab.overseerr.call("GET", choose).status == 200)
        let second = try await lab.wire()
        #expect(second.status == 0, "\(second.standardError)")
        #expect(second.standardOutput.contains("overseerr: done: create library sync"))
        let after = try await lab.overseerr.call("GET", "/api/v1/settings/plex").json?["libraries"]?.array ?? []
        #expect(after.count == 3 && after.allSatisfy { $0["enabled"] == true })
        let third = try await lab.wire()
        #expect(third.standardError.contains("nothing changed"), "\(third.standardOutput)")
        #expect(try await lab.plexSections() == sections)
    }

    @Test func anOverseerrSignedInByHandWaitsForTheClaimToo() async throws {
        // The owner signed in to Overseerr in its web UI, but Plex's token is neither in .env nor in Preferences.xml.
        let lab = try Lab()
        defer { lab.stop() }
        let signIn = try await lab.overseerr.call(
            "POST", "/api/v1/auth/plex", body: ["authToken": .string(Self.plexToken)])
        #expect(signIn.status == 200)

        let run = try await lab.wire()
        #expect(run.standardOutput.contains("overseerr: media server \"Plex\" is as desired"))
        #expect(
            run.standardOutput.contains(
                "overseerr: Plex server \"host.docker.internal:32400\": Plex has no token in .env yet: claim Plex"))
        #expect(run.standardOutput.contains("overseerr: setup \"initialize\": finish the setup at"))
        #expect(try await lab.overseerr.call("GET", "/api/v1/settings/public").json?["initialized"] == false)
        #expect(try await lab.overseerr.call("GET", "/api/v1/settings/plex").json?["ip"] == "")
    }

    @Test func aTokenPlexRefusesIsOneClearFailureAndNeverPrinted() async throws {
        // Preferences.xml (and so .env) holds a token this Plex does not accept: claimed by another account since.
        let otherToken = "anotherOwnersToken-5678"
        let lab = try Lab(plexClaimed: true, plexServerToken: otherToken)
        defer { lab.stop() }

        let run = try await lab.wire()
        #expect(run.status == 1)
        let lines = run.standardError.split(separator: "\n").map(String.init)
        let plex = lines.filter { $0.hasPrefix("error: plex:") }
        #expect(plex.count == 1)
        #expect(
            plex.first?.contains(
                "GET /library/sections failed: HTTP 401: Plex refused PLEX_TOKEN from .env: it is not the token of"
                    + " this server's owner") == true)
        #expect(plex.first?.contains("fix: delete the PLEX_TOKEN line from .env and run `mediaserver wire`") == true)
        // The token step still stored it, so Overseerr signed in; Seerr's own test of the connection then fails.
        #expect(lab.envValue("PLEX_TOKEN") == Self.plexToken)
        let overseerr = lines.filter { $0.hasPrefix("error: overseerr:") }
        #expect(overseerr.count == 1)
        #expect(
            overseerr.first?.contains(
                "POST /api/v1/settings/plex failed: HTTP 500: Unable to connect to Plex.; fix: overseerr could not"
                    + " reach Plex at http://host.docker.internal:32400") == true)
        #expect(try await lab.overseerr.call("GET", "/api/v1/settings/public").json?["initialized"] == false)
        #expect(try await lab.plexSections().isEmpty)
        for secret in Self.secrets(lab) + [otherToken] {
            #expect(!(run.standardOutput + run.standardError).contains(secret), "a secret was printed")
        }
    }
}
