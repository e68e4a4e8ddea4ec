import MediaStack
import MediaStackChecks
import MediaStackRendering
import Testing

/// `INDEXERS` and the per-indexer keys: parsed into Newznab indexers, every problem named by its key, no key shown.
@Suite("Indexer settings")
struct IndexerSettingsTests {
    static let key = "f00dfeedf00dfeedf00dfeedf00dfeed"

    @Test func aListAndItsKeysBecomeIndexers() throws {
        let settings = try TestSupport.settings(
            """
            INDEXERS=NZBgeek, drunken-slug
            INDEXER_NZBGEEK_URL=https://api.nzbgeek.info
            INDEXER_NZBGEEK_API_KEY=\(Self.key)
            INDEXER_DRUNKEN_SLUG_URL=https://drunkenslug.com/
            INDEXER_DRUNKEN_SLUG_API_KEY=abc123
            INDEXER_DRUNKEN_SLUG_API_PATH=/api/v2
            """)
        #expect(
            settings.indexers == [
                NewznabIndexer(name: "NZBgeek", url: "https://api.nzbgeek.info", apiKey: Self.key),
                NewznabIndexer(
                    name: "drunken-slug", url: "https://drunkenslug.com/", apiPath: "/api/v2", apiKey: "abc123"),
            ])
        // The listed indexers' keys are settings, not unknown ones; a key of an unlisted indexer still is.
        let stack = Stack(settings: try TestSupport.settings(settingsText(extra: "INDEXER_OLD_URL=https://x.test")))
        let unknown = StackChecks().run(stack, rendered: try StackRenderer().render(stack)).filter {
            $0.id == .unknownSetting
        }
        #expect(unknown.map(\.subject) == ["INDEXER_OLD_URL"])
    }

    func settingsText(extra: String) -> String {
        "INDEXERS=nzbgeek\nINDEXER_NZBGEEK_URL=https://api.nzbgeek.info\nINDEXER_NZBGEEK_API_KEY=\(Self.key)\n\(extra)\n"
    }

    static let badCases: [SettingsBadCase] = [
        SettingsBadCase(
            name: "no URL", text: "INDEXERS=nzbgeek\nINDEXER_NZBGEEK_API_KEY=\(key)", key: "INDEXER_NZBGEEK_URL",
            message: "INDEXERS lists nzbgeek, but INDEXER_NZBGEEK_URL is not set", fix: "INDEXER_NZBGEEK_URL=https://"
        ),
        SettingsBadCase(
            name: "no key", text: "INDEXERS=nzbgeek\nINDEXER_NZBGEEK_URL=https://api.nzbgeek.info",
            key: "INDEXER_NZBGEEK_API_KEY", message: "INDEXER_NZBGEEK_API_KEY is not set",
            fix: "API key from your account page"),
        SettingsBadCase(
            name: "key pasted into the URL",
            text: "INDEXERS=nzbgeek\nINDEXER_NZBGEEK_URL=https://api.nzbgeek.info/api?t=caps&apikey=\(key)",
            key: "INDEXER_NZBGEEK_URL", message: "holds a query string", fix: "INDEXER_NZBGEEK_API_KEY"),
        SettingsBadCase(
            name: "URL with the API path",
            text:
                "INDEXERS=nzbgeek\nINDEXER_NZBGEEK_URL=https://api.nzbgeek.info/api/\nINDEXER_NZBGEEK_API_KEY=\(key)",
            key: "INDEXER_NZBGEEK_URL", message: "ends in /api", fix: "remove /api from INDEXER_NZBGEEK_URL"),
        SettingsBadCase(
            name: "not http",
            text: "INDEXERS=nzbgeek\nINDEXER_NZBGEEK_URL=api.nzbgeek.info\nINDEXER_NZBGEEK_API_KEY=\(key)",
            key: "INDEXER_NZBGEEK_URL", message: "does not start with http", fix: "INDEXER_NZBGEEK_URL=https://"),
        SettingsBadCase(
            name: "bad name", text: "INDEXERS=nzb geek", key: "INDEXERS", message: "not an indexer name",
            fix: "letters, digits"),
        SettingsBadCase(
            name: "two names, one set of keys",
            text: "INDEXERS=nzb-geek,NZB_geek\nINDEXER_NZB_GEEK_URL=https://a.test\nINDEXER_NZB_GEEK_API_KEY=\(key)",
            key: "INDEXERS", message: "share the keys INDEXER_NZB_GEEK_", fix: "one name"),
        SettingsBadCase(
            name: "API path is a URL",
            text: "INDEXERS=x\nINDEXER_X_URL=https://a.test\nINDEXER_X_API_KEY=\(key)\nINDEXER_X_API_PATH=https://b",
            key: "INDEXER_X_API_PATH", message: "not a path", fix: "starting with /"),
    ]

    @Test("bad indexer settings are refused, naming the key and never the API key", arguments: badCases)
    func aBadSettingNamesItsKey(_ bad: SettingsBadCase) {
        do {
            let settings = try Settings.parse("PUID=1000\n\(bad.text)\n", path: ".env")
            Issue.record("accepted: \(bad.name), \(settings.indexers.count) indexers")
        } catch {
            let issue = error.issues.first { $0.key == bad.key }
            #expect(issue != nil, "\(error.issues)")
            #expect(issue?.message.contains(bad.message) == true, "\(issue?.message ?? "")")
            #expect(issue?.fix.contains(bad.fix) == true, "\(issue?.fix ?? "")")
            #expect(issue?.line != nil)
            #expect(!error.description.contains(Self.key), "\(error.description)")
        }
    }

    @Test func aMalformedIndexerKeyLineNeverShowsItsValue() {
        do {
            _ = try Settings.parse("INDEXERS=x\nINDEXER_X_API_KEY=\"\(Self.key)\" trailing\n", path: ".env")
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains(Self.key), "\(error.description)")
        }
    }

    @Test func envExampleShowsHowToDeclareOne() {
        let example = EnvExampleRenderer().render().contents
        #expect(example.contains("\nINDEXERS=\n# INDEXERS=nzbgeek\n# INDEXER_NZBGEEK_URL=https://api.nzbgeek.info\n"))
        // An empty list declares nothing and is valid.
        #expect((try? Settings.parse("INDEXERS=\n", path: ".env"))?.indexers == [])
    }
}
