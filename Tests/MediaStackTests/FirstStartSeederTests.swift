import Foundation
import MediaStack
import MediaStackOperations
import Testing

@Suite struct FirstStartSeederTests {
    static let keys = [
        "SABNZBD_API_KEY": "5ab0000000000000000000000000a01e", "SABNZBD_NZB_KEY": "5ab0000000000000000000000000b02e",
        "BAZARR_API_KEY": "ba2a000000000000000000000000c03e", "TAUTULLI_API_KEY": "7a07000000000000000000000000d04e",
        "SONARR_API_KEY": "50a0000000000000000000000000e05e", "RADARR_API_KEY": "4ada000000000000000000000000f06e",
        "TAUTULLI_PASSWORD": "tautulli-test-password",
    ]

    /// A stack whose CONFIG_ROOT is a fresh temporary folder.
    static func stack(_ overrides: [String: String] = [:]) throws -> (Stack, URL) {
        let root = try TestSupport.temporaryFolder()
        var values = keys.merging(overrides) { $1 }
        values["CONFIG_ROOT"] = root.path
        return (Stack(settings: try TestSupport.settings(overriding: values)), root)
    }

    static func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    @Test func aNewInstallGetsEveryKeyInEveryFile() throws {
        let (stack, root) = try Self.stack()
        let plans = try FirstStartSeeder(stack: stack, hostName: "NAS").seed()
        #expect(Set(plans.map(\.service.rawValue)) == ["sabnzbd", "bazarr", "tautulli"])
        #expect(plans.allSatisfy { $0.notes.allSatisfy { $0.outcome == .added } })
        let report = FirstStartSeeder.report(plans).joined(separator: "\n")
        #expect(report.contains("wrote \(root.path)/sabnzbd/sabnzbd.ini: misc.api_key, misc.nzb_key"))
        #expect(report.contains("categories.*, categories.movies, categories.tv") && !report.contains(".dir"))
        for key in Self.keys.values { #expect(!report.contains(key)) }

        let sabnzbd = try ConfigObjDocument(Self.read(root.appendingPathComponent("sabnzbd/sabnzbd.ini")), path: "")
        #expect(sabnzbd.value("api_key", in: ["misc"]) == .single(Self.keys["SABNZBD_API_KEY"] ?? ""))
        #expect(sabnzbd.value("nzb_key", in: ["misc"]) == .single(Self.keys["SABNZBD_NZB_KEY"] ?? ""))
        #expect(sabnzbd.value("host_whitelist", in: ["misc"]) == .list(["sabnzbd", "nas"]))
        #expect(sabnzbd.value("download_dir", in: ["misc"]) == .single("/data/usenet/incomplete"))
        #expect(sabnzbd.value("complete_dir", in: ["misc"]) == .single("/data/usenet/complete"))
        #expect(sabnzbd.value("dir", in: ["categories", "tv"]) == .single("tv"))
        #expect(sabnzbd.value("dir", in: ["categories", "movies"]) == .single("movies"))
        #expect(sabnzbd.value("pp", in: ["categories", "*"]) == .single("3"))

        let tautulli = try ConfigObjDocument(Self.read(root.appendingPathComponent("tautulli/config.ini")), path: "")
        #expect(tautulli.value("api_key", in: ["General"]) == .single(Self.keys["TAUTULLI_API_KEY"] ?? ""))
        #expect(tautulli.value("api_enabled", in: ["General"]) == .single("1"))
        #expect(tautulli.value("http_username", in: ["General"]) == .single("admin"))
        let digest = tautulli.value("http_password", in: ["General"])?.items.joined() ?? ""
        #expect(TautulliPasswordDigest.matches(Self.keys["TAUTULLI_PASSWORD"] ?? "", digest: digest))
        #expect(!report.contains(digest))

        let bazarr = try Self.read(root.appendingPathComponent("bazarr/config/config.yaml"))
        #expect(bazarr.contains("apikey: '\(Self.keys["BAZARR_API_KEY"] ?? "")'"))
        #expect(bazarr.contains("use_sonarr: true") && bazarr.contains("use_radarr: true"))
        #expect(bazarr.contains("ip: 'sonarr'") && bazarr.contains("port: 8989"))
        #expect(bazarr.contains("ip: 'radarr'") && bazarr.contains("port: 7878"))
    }

    @Test func newFilesAreReadableByTheirOwnerOnly() throws {
        let (stack, root) = try Self.stack()
        try FirstStartSeeder(stack: stack, hostName: nil).seed()
        for path in ["sabnzbd/sabnzbd.ini", "tautulli/config.ini", "bazarr/config/config.yaml"] {
            let attributes = try FileManager.default.attributesOfItem(
                atPath: root.appendingPathComponent(path).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(path)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(
            atPath: root.appendingPathComponent("sabnzbd").path)
        #expect(leftovers == ["sabnzbd.ini"])
    }

    @Test func aSecondRunChangesNothing() throws {
        let (stack, root) = try Self.stack()
        let seeder = FirstStartSeeder(stack: stack, hostName: "nas")
        try seeder.seed()
        let before = try Self.read(root.appendingPathComponent("bazarr/config/config.yaml"))
        let again = try seeder.seed()
        #expect(again.allSatisfy { !$0.changes && $0.notes.isEmpty })
        #expect(FirstStartSeeder.report(again).isEmpty)
        #expect(try Self.read(root.appendingPathComponent("bazarr/config/config.yaml")) == before)
    }

    @Test func aUsersSabnzbdFileKeepsItsValuesAndGetsOurs() throws {
        let (stack, root) = try Self.stack()
        let theirKey = "0123456789abcdef0123456789abcdef"
        let user = """
            # written by SABnzbd
            __version__ = 19
            [misc]
            api_key = \(theirKey)
            host_whitelist = mybox,
            download_dir = Downloads/incomplete
            complete_dir = ""
            [categories]
            [[*]]
            name = *
            order = 0
            [[tv]]
            name = tv
            order = 2
            dir = ""
            [servers]
            [[news.example.com]]
            host = news.example.com
            """
        let path = root.appendingPathComponent("sabnzbd/sabnzbd.ini")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try user.write(to: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path.path)

        let plans = try FirstStartSeeder(stack: stack, hostName: nil).seed()
        let written = try Self.read(path)
        let document = try ConfigObjDocument(written, path: path.path)
        // Theirs kept: the key, the download folder, their own tv category, their server.
        #expect(document.value("api_key", in: ["misc"]) == .single(theirKey))
        #expect(document.value("download_dir", in: ["misc"]) == .single("Downloads/incomplete"))
        #expect(document.value("dir", in: ["categories", "tv"]) == .single(""))
        #expect(document.value("host", in: ["servers", "news.example.com"]) == .single("news.example.com"))
        // Ours added: the missing NZB key, the empty complete folder, the whitelist names. Their categories are
        // their choice (a deleted movies category stays deleted).
        #expect(document.value("nzb_key", in: ["misc"]) == .single(Self.keys["SABNZBD_NZB_KEY"] ?? ""))
        #expect(document.value("complete_dir", in: ["misc"]) == .single("/data/usenet/complete"))
        #expect(document.value("host_whitelist", in: ["misc"]) == .list(["mybox", "sabnzbd"]))
        #expect(!document.hasSection(["categories", "movies"]))
        #expect(written.hasPrefix("# written by SABnzbd\n__version__ = 19\n[misc]\napi_key = \(theirKey)\n"))
        let mode = try FileManager.default.attributesOfItem(atPath: path.path)[.posixPermissions] as? Int
        #expect(mode == 0o640)

        // The report names what was added and what was kept, and never prints a key.
        let report = FirstStartSeeder.report(plans.filter { $0.service == "sabnzbd" }).joined(separator: "\n")
        #expect(report.contains("added to \(path.path)"))
        #expect(report.contains("misc.nzb_key") && report.contains("misc.host_whitelist (sabnzbd)"))
        #expect(report.contains("kept misc.api_key") && report.contains("SABNZBD_API_KEY"))
        #expect(report.contains("kept misc.download_dir: Downloads/incomplete (ours would be /data/usenet/incomplete)"))
        #expect(!report.contains(theirKey))
        for key in Self.keys.values { #expect(!report.contains(key)) }
    }

    @Test func aUsersBazarrFileKeepsItsValuesAndGetsOurs() throws {
        let (stack, root) = try Self.stack()
        let path = root.appendingPathComponent("bazarr/config/config.yaml")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try """
        general:
          use_sonarr: false
          ip: '*'
        auth:
          apikey: ''
          type: null
        sonarr:
          ip: 192.168.1.5
          apikey: theirs-not-ours
        """.write(to: path, atomically: true, encoding: .utf8)
        let plans = try FirstStartSeeder(stack: stack, hostName: nil).seed()
        let written = try Self.read(path)
        #expect(written.contains("apikey: '\(Self.keys["BAZARR_API_KEY"] ?? "")'"))
        #expect(written.contains("use_sonarr: false") && written.contains("use_radarr: true"))
        #expect(written.contains("ip: 192.168.1.5") && written.contains("apikey: theirs-not-ours"))
        #expect(written.contains("ip: '*'") && written.contains("type: null"))
        let report = FirstStartSeeder.report(plans.filter { $0.service == "bazarr" }).joined(separator: "\n")
        #expect(report.contains("kept general.use_sonarr: false (ours would be true)"))
        #expect(report.contains("kept sonarr.apikey") && !report.contains("theirs-not-ours"))
        #expect(report.contains("kept sonarr.ip: 192.168.1.5 (ours would be sonarr)"))
    }

    @Test func aKeyEnvDoesNotSetIsLeftToTheApp() throws {
        let (stack, root) = try Self.stack(["SABNZBD_API_KEY": "CHANGE_ME", "TAUTULLI_API_KEY": "CHANGE_ME"])
        let plans = try FirstStartSeeder(stack: stack, hostName: nil).seed()
        let sabnzbd = try ConfigObjDocument(Self.read(root.appendingPathComponent("sabnzbd/sabnzbd.ini")), path: "")
        #expect(sabnzbd.value("api_key", in: ["misc"]) == nil)
        let tautulli = try Self.read(root.appendingPathComponent("tautulli/config.ini"))
        #expect(!tautulli.contains("api_key") && tautulli.contains("api_enabled = 1"))
        let skipped = plans.flatMap(\.notes).filter { $0.outcome == .skipped }.map(\.key)
        #expect(Set(skipped) == ["misc.api_key", "General.api_key"])
    }

    @Test func withoutAPasswordInEnvTautulliHasNoLoginAndUpSaysHowToGetOne() throws {
        let (stack, root) = try Self.stack(["TAUTULLI_PASSWORD": ""])
        let plans = try FirstStartSeeder(stack: stack, hostName: nil).seed().filter { $0.service == "tautulli" }
        let document = try ConfigObjDocument(Self.read(root.appendingPathComponent("tautulli/config.ini")), path: "")
        #expect(document.value("http_password", in: ["General"]) == nil)
        let report = FirstStartSeeder.report(plans).joined(separator: "\n")
        #expect(report.contains("left out General.http_password: TAUTULLI_PASSWORD is not set in .env"))
        #expect(report.contains("mediaserver init --force"))
    }

    @Test func aLoginPasswordChangedInTautulliIsKeptAndNamedNeverShown() throws {
        let (stack, root) = try Self.stack()
        let path = root.appendingPathComponent("tautulli/config.ini")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        let theirs = TautulliPasswordDigest(password: "chosen-in-tautulli", rounds: 1000).text
        let text =
            "[General]\napi_key = \(Self.keys["TAUTULLI_API_KEY"] ?? "")\napi_enabled = 1\n"
            + "http_username = admin\nhttp_password = \(theirs)\n"
        try text.write(to: path, atomically: true, encoding: .utf8)
        for _ in 0..<2 {
            let plans = try FirstStartSeeder(stack: stack, hostName: nil).seed().filter { $0.service == "tautulli" }
            #expect(plans.allSatisfy { !$0.changes })
            let report = FirstStartSeeder.report(plans).joined(separator: "\n")
            #expect(report.contains("kept General.http_password: the app's login password is not TAUTULLI_PASSWORD"))
            #expect(!report.contains(theirs) && !report.contains(Self.keys["TAUTULLI_PASSWORD"] ?? ""))
        }
        #expect(try Self.read(path) == text)
    }

    @Test func aDigestOfEnvsPasswordIsLeftAsItIs() throws {
        let (stack, root) = try Self.stack()
        let path = root.appendingPathComponent("tautulli/config.ini")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        let ours = TautulliPasswordDigest(password: Self.keys["TAUTULLI_PASSWORD"] ?? "", rounds: 1000).text
        let text =
            "[General]\napi_key = \(Self.keys["TAUTULLI_API_KEY"] ?? "")\napi_enabled = 1\n"
            + "http_username = admin\nhttp_password = \(ours)\n"
        try text.write(to: path, atomically: true, encoding: .utf8)
        let plans = try FirstStartSeeder(stack: stack, hostName: nil).seed().filter { $0.service == "tautulli" }
        #expect(plans.allSatisfy { !$0.changes && $0.notes.isEmpty })
        #expect(try Self.read(path) == text)
    }

    @Test func aUsersFileWithoutCategoriesGetsOurs() throws {
        let (stack, root) = try Self.stack()
        let path = root.appendingPathComponent("sabnzbd/sabnzbd.ini")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "[misc]\nport = 8080\n[servers]\n[[news]]\nhost = news\n".write(to: path, atomically: true, encoding: .utf8)
        try FirstStartSeeder(stack: stack, hostName: nil).seed()
        let document = try ConfigObjDocument(Self.read(path), path: path.path)
        #expect(document.value("dir", in: ["categories", "tv"]) == .single("tv"))
        #expect(document.value("dir", in: ["categories", "movies"]) == .single("movies"))
        #expect(document.value("order", in: ["categories", "*"]) == .single("0"))
        #expect(document.value("host", in: ["servers", "news"]) == .single("news"))
    }

    @Test func aSecondRunRepeatsOnlyAKeyThatDiffersFromEnv() throws {
        let (stack, root) = try Self.stack()
        let path = root.appendingPathComponent("sabnzbd/sabnzbd.ini")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "[misc]\napi_key = 0123456789abcdef0123456789abcdef\ndownload_dir = /downloads\n".write(
            to: path, atomically: true, encoding: .utf8)
        let seeder = FirstStartSeeder(stack: stack, hostName: nil)
        let first = FirstStartSeeder.report(try seeder.seed().filter { $0.service == "sabnzbd" }).joined()
        #expect(first.contains("kept misc.download_dir") && first.contains("kept misc.api_key"))
        let second = FirstStartSeeder.report(try seeder.seed().filter { $0.service == "sabnzbd" }).joined()
        #expect(!second.contains("download_dir") && second.contains("kept misc.api_key"))
        #expect(second.contains("nothing added"))
    }

    @Test func aKeyTheAppMadeWhileEnvHadNoneIsNotReported() throws {
        let (stack, root) = try Self.stack(["TAUTULLI_API_KEY": "CHANGE_ME"])
        let path = root.appendingPathComponent("tautulli/config.ini")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        let login = TautulliPasswordDigest(password: Self.keys["TAUTULLI_PASSWORD"] ?? "", rounds: 1000).text
        try "[General]\napi_key = made-by-tautulli\napi_enabled = 1\nhttp_username = admin\nhttp_password = \(login)\n"
            .write(to: path, atomically: true, encoding: .utf8)
        let plans = try FirstStartSeeder(stack: stack, hostName: nil).seed().filter { $0.service == "tautulli" }
        #expect(plans.allSatisfy { !$0.changes && $0.notes.isEmpty })
    }

    @Test func theWhitelistHasThisMachinesFullNameAndItsFirstLabel() throws {
        let (stack, root) = try Self.stack()
        try FirstStartSeeder(stack: stack, hostName: "NAS.home.lan").seed()
        let sabnzbd = try ConfigObjDocument(Self.read(root.appendingPathComponent("sabnzbd/sabnzbd.ini")), path: "")
        #expect(sabnzbd.value("host_whitelist", in: ["misc"]) == .list(["sabnzbd", "nas.home.lan", "nas"]))
    }

    @Test func aDisabledAppGetsNoFile() throws {
        let (stack, root) = try Self.stack(["DISABLED_SERVICES": "tautulli"])
        let plans = try FirstStartSeeder(stack: stack, hostName: nil).seed()
        #expect(!plans.contains { $0.service == "tautulli" })
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("tautulli/config.ini").path))
    }

    @Test func anUnreadableFileStopsEverythingBeforeAnyWrite() throws {
        let (stack, root) = try Self.stack()
        let tautulli = root.appendingPathComponent("tautulli/config.ini")
        try FileManager.default.createDirectory(
            at: tautulli.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "[General]\napi_key = a\napi_key = b\n".write(to: tautulli, atomically: true, encoding: .utf8)
        #expect {
            try FirstStartSeeder(stack: stack, hostName: nil).seed()
        } throws: { error in
            guard let error = error as? SeedError else { return false }
            return error.file == tautulli.path && error.line == 3
                && error.description.contains("config.ini:3: sets api_key twice")
        }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("sabnzbd/sabnzbd.ini").path))
        #expect(try Self.read(tautulli) == "[General]\napi_key = a\napi_key = b\n")
    }

    @Test func aFolderWhereTheFileBelongsIsRefused() throws {
        let (stack, root) = try Self.stack()
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("sabnzbd/sabnzbd.ini"), withIntermediateDirectories: true)
        #expect(throws: SeedError.self) { try FirstStartSeeder(stack: stack, hostName: nil).plan() }
    }

    @Test func invalidYAMLIsRefusedWithTheFile() throws {
        let (stack, root) = try Self.stack()
        let path = root.appendingPathComponent("bazarr/config/config.yaml")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "general: [unclosed\n".write(to: path, atomically: true, encoding: .utf8)
        #expect {
            try FirstStartSeeder(stack: stack, hostName: nil).plan()
        } throws: { error in
            (error as? SeedError)?.description.contains("\(path.path): is not valid YAML") == true
        }
    }

    // MARK: - Behind the front door

    static let frontDoor = ["DOMAIN": "media.test"]

    @Test func behindTheFrontDoorJellyfinTrustsCaddysAddressAndSABnzbdItsName() throws {
        let (stack, root) = try Self.stack(Self.frontDoor)
        let plans = try FirstStartSeeder(stack: stack, hostName: nil).seed()
        #expect(Set(plans.map(\.service.rawValue)) == ["jellyfin", "sabnzbd", "bazarr", "tautulli"])
        let network = try Self.read(root.appendingPathComponent("jellyfin/config/config/network.xml"))
        #expect(network.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<NetworkConfiguration "))
        #expect(network.contains("  <KnownProxies>\n    <string>172.16.238.254</string>\n  </KnownProxies>\n"))
        #expect(network.hasSuffix("</NetworkConfiguration>\n"))
        let sabnzbd = try ConfigObjDocument(Self.read(root.appendingPathComponent("sabnzbd/sabnzbd.ini")), path: "")
        #expect(sabnzbd.value("host_whitelist", in: ["misc"]) == .list(["sabnzbd", "sabnzbd.media.test"]))
        // A second run changes nothing.
        #expect(try FirstStartSeeder(stack: stack, hostName: nil).plan().allSatisfy { !$0.changes })
        // Off: Jellyfin's file is not ours to write.
        let (off, offRoot) = try Self.stack()
        try FirstStartSeeder(stack: off, hostName: nil).seed()
        #expect(!FileManager.default.fileExists(atPath: offRoot.appendingPathComponent("jellyfin").path))
    }

    /// Jellyfin's own network.xml (as its XmlSerializer writes it) keeps every element and the user's proxies; ours
    /// is added beside them, in the empty or filled list, or as a new element.
    @Test(arguments: [
        ("    <KnownProxies />\n", "    <KnownProxies>\n      <string>172.16.238.254</string>\n    </KnownProxies>\n"),
        (
            "    <KnownProxies>\n      <string>10.0.0.2</string>\n    </KnownProxies>\n",
            "    <KnownProxies>\n      <string>10.0.0.2</string>\n      <string>172.16.238.254</string>\n    </KnownProxies>\n"
        ),
        ("", "  <KnownProxies>\n    <string>172.16.238.254</string>\n  </KnownProxies>\n"),
    ])
    func jellyfinsOwnNetworkFileKeepsItsElements(_ known: String, _ expected: String) throws {
        let (stack, root) = try Self.stack(Self.frontDoor)
        let folder = root.appendingPathComponent("jellyfin/config/config")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let head = """
            <?xml version="1.0" encoding="utf-8"?>
            <NetworkConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                <BaseUrl />
                <EnableHttps>false</EnableHttps>

            """
        let tail = "    <InternalHttpPort>8096</InternalHttpPort>\n</NetworkConfiguration>"
        let file = folder.appendingPathComponent("network.xml")
        try (head + known + tail).write(to: file, atomically: true, encoding: .utf8)
        let plans = try FirstStartSeeder(stack: stack, hostName: nil).seed()
        let note = plans.first { $0.service == "jellyfin" }?.notes.map(\.key)
        #expect(note == ["NetworkConfiguration.KnownProxies (172.16.238.254)"])
        let merged = try Self.read(file)
        if known.isEmpty {
            #expect(
                merged == head + "    <InternalHttpPort>8096</InternalHttpPort>\n" + expected
                    + "</NetworkConfiguration>")
        } else {
            #expect(merged == head + expected + tail)
        }
    }

    @Test func aNetworkFileWithoutItsRootIsRefusedWithTheFile() throws {
        let (stack, root) = try Self.stack(Self.frontDoor)
        let folder = root.appendingPathComponent("jellyfin/config/config")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "<ServerConfiguration />\n".write(
            to: folder.appendingPathComponent("network.xml"), atomically: true, encoding: .utf8)
        #expect {
            try FirstStartSeeder(stack: stack, hostName: nil).plan()
        } throws: { error in
            (error as? SeedError)?.file.hasSuffix("jellyfin/config/config/network.xml") == true
                && (error as? SeedError)?.message.contains("<NetworkConfiguration>") == true
        }
    }
}
