import Foundation
import MediaStack
import MediaStackOperations
import Testing

/// `mediaserver wire` adds the Newznab indexers `.env` declares to Prowlarr: against the Prowlarr contract fake, which
/// tests an indexer on save by calling the site, here a Newznab fake (scripts/e2e/standin/fakes.py `--app newznab`).
@Suite(.serialized)
struct IndexerWiringTests {
    static let siteKey = "1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e"
    static let wrongKey = "0badc0de0badc0de0badc0de0badc0de"

    /// The wiring lab, a Newznab site that accepts `siteKey`, and `.env` declaring it as `nzbgeek` with `key`.
    struct IndexerLab {
        let lab: WiringIntegrationTests.Lab
        let site: AppFake

        init(key: String = IndexerWiringTests.siteKey, path: String = "") throws {
            lab = try WiringIntegrationTests.Lab()
            site = try AppFake("newznab", apiKey: IndexerWiringTests.siteKey, fsRoot: lab.fsRoot)
            try append(
                """
                INDEXERS=nzbgeek
                INDEXER_NZBGEEK_URL=\(site.url.absoluteString)\(path)
                INDEXER_NZBGEEK_API_KEY=\(key)

                """)
        }

        func append(_ lines: String) throws { try write(lab.env + lines) }

        /// Replaces `.env`, keeping it private as `init` writes it.
        func write(_ text: String) throws {
            let envURL = lab.root.appendingPathComponent(".env")
            try text.write(to: envURL, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: envURL.path)
        }

        /// `.env` without the line `line`.
        func removing(_ line: String) -> String {
            lab.env.split(separator: "\n", omittingEmptySubsequences: false).filter { $0 != line }.joined(
                separator: "\n")
        }

        var secrets: [String] {
            WiringIntegrationTests.secrets(lab) + [IndexerWiringTests.siteKey, IndexerWiringTests.wrongKey]
        }

        func indexers() async throws -> [WireJSON] { try await lab.prowlarr.list("/api/v1/indexer") }

        func stop() {
            site.stop()
            lab.stop()
        }
    }

    static func expectNoSecret(_ outputs: [ProcessOutput], _ lab: IndexerLab) {
        for output in outputs {
            for secret in lab.secrets {
                #expect(!(output.standardOutput + output.standardError).contains(secret), "a secret was printed")
            }
        }
    }

    @Test func anIndexerIsCreatedThenAsDesired() async throws {
        let lab = try IndexerLab()
        defer { lab.stop() }

        let plan = try await lab.lab.wire(["--dry-run"])
        #expect(plan.standardOutput.contains("prowlarr: would create indexer \"nzbgeek\""), "\(plan.standardOutput)")
        #expect(try await lab.indexers().isEmpty, "a dry run changed Prowlarr")

        let first = try await lab.lab.wire()
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("prowlarr: done: create indexer \"nzbgeek\""), "\(first.standardOutput)")
        let indexers = try await lab.indexers()
        #expect(indexers.count == 1)
        let indexer = try #require(indexers.first)
        #expect(indexer["implementation"] == "Newznab")
        #expect(indexer["enable"] == true)
        #expect(indexer["appProfileId"]?.int == 1)
        #expect(WiringIntegrationTests.field(indexer, "baseUrl")?.string == lab.site.url.absoluteString)
        #expect(WiringIntegrationTests.field(indexer, "apiPath") == "/api")
        // Prowlarr answers the key masked; it holds the one from .env, since its test against the site passed.
        #expect(WiringIntegrationTests.field(indexer, "apiKey") == "********")

        let second = try await lab.lab.wire()
        #expect(
            second.standardOutput.contains("prowlarr: indexer \"nzbgeek\" is as desired"), "\(second.standardOutput)")
        #expect(!second.standardOutput.contains("done:"))
        #expect(try await lab.indexers() == indexers)

        // The address changed in .env (here: the same site by another name): the indexer wire made is updated in
        // place, and Prowlarr tests it again with the key.
        try lab.append("INDEXER_NZBGEEK_URL=http://localhost:\(lab.site.port)\n")
        try lab.write(lab.removing("INDEXER_NZBGEEK_URL=\(lab.site.url.absoluteString)"))
        let moved = try await lab.lab.wire()
        #expect(
            moved.standardOutput.contains("prowlarr: done: update indexer \"nzbgeek\" (fields.baseUrl drifted)"),
            "\(moved.standardOutput)\n\(moved.standardError)")
        let updated = try #require(try await lab.indexers().first)
        #expect(updated["id"] == indexer["id"])
        #expect(WiringIntegrationTests.field(updated, "baseUrl")?.string == "http://localhost:\(lab.site.port)")

        let json = try await lab.lab.wire(["--json"])
        let report = try #require(WireJSON.parse(Data(json.standardOutput.utf8)))
        let prowlarr = try #require(report["apps"]?.array?.first { $0["app"] == "prowlarr" })
        let item = try #require(prowlarr["items"]?.array?.first { $0["kind"] == "indexer" })
        #expect(item["name"] == "nzbgeek")
        #expect(item["change"] == "unchanged")
        Self.expectNoSecret([plan, first, second, moved, json], lab)
    }

    @Test func anIndexerMadeByHandIsLeftAlone() async throws {
        let lab = try IndexerLab()
        defer { lab.stop() }
        // The owner added the site in Prowlarr's web UI under the same name (another case), with the right key.
        let handMade: WireJSON = [
            "name": "NZBGeek", "implementation": "Newznab", "configContract": "NewznabSettings", "enable": true,
            "redirect": true, "appProfileId": 1, "priority": 10,
            "fields": [
                ["name": "baseUrl", "value": .string(lab.site.url.absoluteString)],
                ["name": "apiPath", "value": "/api"],
                ["name": "apiKey", "value": .string(Self.siteKey)],
            ],
        ]
        #expect(try await lab.lab.prowlarr.call("POST", "/api/v1/indexer", body: handMade).status == 201)
        let before = try await lab.indexers()

        let run = try await lab.lab.wire()
        #expect(run.status == 0, "\(run.standardError)")
        #expect(
            run.standardOutput.contains("prowlarr: indexer \"nzbgeek\" was made by hand: left alone"),
            "\(run.standardOutput)")
        #expect(try await lab.indexers() == before)
        Self.expectNoSecret([run], lab)
    }

    @Test func aKeyTheSiteRefusesIsReportedWithItsSettingAndNeverPrinted() async throws {
        let lab = try IndexerLab(key: Self.wrongKey)
        defer { lab.stop() }

        let run = try await lab.lab.wire()
        #expect(run.status == 1)
        let lines = run.standardError.split(separator: "\n").map(String.init).filter {
            $0.hasPrefix("error: prowlarr:")
        }
        #expect(lines.count == 1, "\(run.standardError)")
        let line = try #require(lines.first)
        #expect(
            line.contains(
                "POST /api/v1/indexer failed: HTTP 400: indexer \"nzbgeek\": Indexer returned result for RSS URL,"
                    + " Credentials appears to be invalid. Response: Incorrect user credentials"), "\(line)")
        #expect(line.contains("fix: INDEXER_NZBGEEK_API_KEY in .env is not a key 127.0.0.1 accepts"), "\(line)")
        #expect(try await lab.indexers().isEmpty)
        // Prowlarr's applications were wired all the same.
        #expect(try await lab.lab.prowlarr.list("/api/v1/applications").count == 2)
        Self.expectNoSecret([run], lab)
    }

    @Test func prowlarrsMessageQuotingTheKeyIsRedacted() async throws {
        // The site has no API under /sub: Prowlarr's message quotes the URL it called, key included.
        let lab = try IndexerLab(path: "/sub")
        defer { lab.stop() }

        let run = try await lab.lab.wire()
        #expect(run.status == 1)
        let line = try #require(
            run.standardError.split(separator: "\n").map(String.init).first { $0.hasPrefix("error: prowlarr:") })
        #expect(line.contains("HTTP request failed: [404:NotFound]"), "\(line)")
        #expect(line.contains("apikey=<redacted>"), "\(line)")
        #expect(line.contains("fix: Prowlarr cannot use INDEXER_NZBGEEK_URL in .env"), "\(line)")
        Self.expectNoSecret([run], lab)
    }

    @Test func badIndexerSettingsStopWireBeforeAnyCall() async throws {
        let lab = try IndexerLab()
        defer { lab.stop() }
        try lab.append("INDEXERS=nzbgeek,drunkenslug\n")
        // The list is set twice now: keep the last one only.
        try lab.write(lab.removing("INDEXERS=nzbgeek"))

        let run = try await lab.lab.wire()
        #expect(run.status == 2, "\(run.standardError)")
        #expect(run.standardError.contains("INDEXERS lists drunkenslug, but INDEXER_DRUNKENSLUG_URL is not set"))
        #expect(run.standardError.contains("INDEXER_DRUNKENSLUG_API_KEY"))
        #expect(try await lab.indexers().isEmpty)
        #expect(try await lab.lab.prowlarr.list("/api/v1/applications").isEmpty, "wire called Prowlarr")
        Self.expectNoSecret([run], lab)
    }
}
