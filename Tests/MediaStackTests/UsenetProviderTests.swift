import Foundation
import MediaStack
import MediaStackOperations
import Testing

/// The Usenet provider's settings: each value checked by its kind, the keys checked together, and the provider
/// `mediaserver wire` derives from them; and the fingerprint that tells a changed password.
@Suite("Usenet provider")
struct UsenetProviderTests {
    static let password = "n0t-In-Any-Message"

    static func issues(_ text: String) -> [SettingsIssue] {
        do {
            _ = try Settings.parse(text, path: "/srv/.env")
            return []
        } catch {
            return error.issues
        }
    }

    static let badCases: [SettingsBadCase] = [
        SettingsBadCase(
            name: "scheme", text: "USENET_HOST=nntps://news.example.com", key: "USENET_HOST",
            message: "holds a URL scheme", fix: "USENET_SSL"),
        SettingsBadCase(
            name: "port in the host", text: "USENET_HOST=news.example.com:563", key: "USENET_HOST",
            message: "holds a port", fix: "USENET_PORT"),
        SettingsBadCase(
            name: "path", text: "USENET_HOST=news.example.com/x", key: "USENET_HOST", message: "holds a path",
            fix: "news.example.com"),
        SettingsBadCase(
            name: "space", text: "USENET_HOST=\"news example\"", key: "USENET_HOST",
            message: "is not a host name or IP address", fix: "news.example.com"),
        SettingsBadCase(
            name: "port out of range", text: "USENET_HOST=h.example\nUSENET_PORT=70000", key: "USENET_PORT",
            message: "is not a port number in 1-65535", fix: "leave USENET_PORT empty"),
        SettingsBadCase(
            name: "boolean", text: "USENET_HOST=h.example\nUSENET_SSL=on", key: "USENET_SSL",
            message: "is not one of true, false", fix: "USENET_SSL=true"),
        SettingsBadCase(
            name: "no connections", text: "USENET_HOST=h.example\nUSENET_CONNECTIONS=0", key: "USENET_CONNECTIONS",
            message: "is not a whole number in 1-500", fix: "in that range"),
        SettingsBadCase(
            name: "connections not a number", text: "USENET_HOST=h.example\nUSENET_CONNECTIONS=eight",
            key: "USENET_CONNECTIONS", message: "is not a whole number", fix: "in that range"),
        SettingsBadCase(
            name: "bracketed name", text: "USENET_HOST=h.example\nUSENET_SERVER_NAME=[main]",
            key: "USENET_SERVER_NAME", message: "bracket", fix: "without them"),
        SettingsBadCase(
            name: "password alone", text: "USENET_HOST=h.example\nUSENET_PASSWORD=\(password)",
            key: "USENET_PASSWORD", message: "USENET_PASSWORD is set but USENET_USERNAME is empty",
            fix: "set USENET_USERNAME"),
        SettingsBadCase(
            name: "masked password", text: "USENET_HOST=h.example\nUSENET_USERNAME=alice\nUSENET_PASSWORD=*****",
            key: "USENET_PASSWORD", message: "only `*` characters", fix: "real password"),
        SettingsBadCase(
            name: "user alone", text: "USENET_HOST=h.example\nUSENET_USERNAME=alice", key: "USENET_USERNAME",
            message: "USENET_USERNAME is set but USENET_PASSWORD is empty", fix: "set USENET_PASSWORD"),
    ]

    @Test(arguments: badCases)
    func badSettingsNameTheKeyAndTheFix(_ bad: SettingsBadCase) {
        let issues = Self.issues(bad.text)
        let issue = issues.first { $0.key == bad.key }
        #expect(issue != nil, "\(issues)")
        #expect(issue?.message.contains(bad.message) == true, "\(String(describing: issue))")
        #expect(issue?.fix.contains(bad.fix) == true, "\(String(describing: issue))")
        #expect(issue?.line != nil)
        for issue in issues { #expect(!issue.description.contains(Self.password)) }
    }

    @Test func emptyByDefaultMeansNoProvider() throws {
        let settings = try Settings.parse("", path: ".env")
        #expect(UsenetProvider(settings) == nil)
        let example = try Settings.parse(
            "USENET_HOST=\nUSENET_PORT=\nUSENET_SSL=\nUSENET_USERNAME=\nUSENET_PASSWORD=\nUSENET_CONNECTIONS=\n"
                + "USENET_SERVER_NAME=\n", path: ".env")
        #expect(UsenetProvider(example) == nil)
        // A login written before the host is kept for it, and configures nothing yet.
        let waiting = try Settings.parse("USENET_USERNAME=alice\nUSENET_PASSWORD=\(Self.password)\n", path: ".env")
        #expect(UsenetProvider(waiting) == nil)
    }

    @Test func defaultsFollowSABnzbd() throws {
        let secure = try #require(
            UsenetProvider(
                try Settings.parse(
                    "USENET_HOST=News.Example.com\nUSENET_USERNAME=alice\nUSENET_PASSWORD=\(Self.password)\n",
                    path: ".env")))
        #expect(secure.host == "news.example.com")
        #expect(secure.name == "news.example.com")
        #expect(secure.ssl)
        #expect(secure.port == 563)
        #expect(secure.connections == UsenetProvider.defaultConnections)
        let plain = try #require(
            UsenetProvider(
                try Settings.parse(
                    "USENET_HOST=10.0.0.5\nUSENET_SSL=false\nUSENET_CONNECTIONS=20\nUSENET_SERVER_NAME=Main\n",
                    path: ".env")))
        #expect(!plain.ssl)
        #expect(plain.port == 119)
        #expect(plain.connections == 20)
        #expect(plain.name == "Main")
    }

    @Test func thePasswordIsASecretOfItsOwnSection() {
        let definitions = SettingsCatalog.definitions()
        let keys = Set(definitions.map(\.key))
        for key in UsenetProvider.keys { #expect(keys.contains(key.rawValue), "\(key)") }
        let password = definitions.first { $0.key == UsenetProvider.passwordKey.rawValue }
        #expect(password?.isSecret == true)
        #expect(password?.defaultValue == "")
        #expect(definitions.filter { $0.section == .usenet }.allSatisfy { $0.defaultValue.isEmpty && $0.mayBeEmpty })
    }

    /// FIPS 180-4 / NIST example vectors for SHA-256, RFC 4231 test cases 2 and 6 for HMAC-SHA256.
    @Test func fingerprintsFollowTheStandards() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(
            hex(
                SecretFingerprint.hmacSHA256(
                    key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            hex(
                SecretFingerprint.hmacSHA256(
                    key: [UInt8](repeating: 0xaa, count: 131),
                    message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(hex(SecretFingerprint.sha256([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            hex(SecretFingerprint.sha256(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            hex(SecretFingerprint.sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SecretFingerprint.of("a", key: "k") != SecretFingerprint.of("b", key: "k"))
        #expect(SecretFingerprint.of("a", key: "k") != SecretFingerprint.of("a", key: "l"))
    }

    @Test func theRecordReadsOlderFilesAndWritesNoEmptyFingerprints() throws {
        let old = try JSONDecoder().decode(WiringOwnership.self, from: Data(#"{"objects":{"sonarr x y":3}}"#.utf8))
        #expect(old.objects == ["sonarr x y": 3])
        #expect(old.fingerprints.isEmpty)
        let written = String(decoding: try JSONEncoder().encode(old), as: UTF8.self)
        #expect(!written.contains("fingerprints"))
        var owned = old
        owned.record(app: .sabnzbd, path: "servers", key: "Main", fingerprint: "ab")
        #expect(owned.fingerprint(app: .sabnzbd, path: "servers", key: "main") == "ab")
        let again = try JSONDecoder().decode(WiringOwnership.self, from: try JSONEncoder().encode(owned))
        #expect(again == owned)
    }
}
