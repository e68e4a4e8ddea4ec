import MediaStack
import MediaStackChecks
import MediaStackRendering
import Testing

@Suite("Checks")
struct CheckTests {
    func findings(_ overrides: [String: String]) throws -> [Finding] {
        let stack = Stack(settings: try TestSupport.settings(overriding: overrides))
        return StackChecks().run(stack, rendered: try StackRenderer().render(stack))
    }

    @Test func twoPublishedPortsClash() throws {
        let clash = try findings(["SONARR_PORT": "7878"]).filter { $0.id == .portClash }
        #expect(clash.count == 1)
        #expect(clash.first?.subject == "port 7878/tcp")
        #expect(clash.first?.message.contains("sonarr") == true && clash.first?.message.contains("radarr") == true)
        #expect(clash.first?.fix.contains("SONARR_PORT") == true)
    }

    @Test func aPublishedPortClashesWithPlexOnTheHostNetwork() throws {
        let clash = try findings(["JELLYFIN_PORT": "32400"]).filter { $0.id == .portClash }
        #expect(clash.count == 1)
        #expect(clash.first?.message.contains("plex (Plex web and API on the host network)") == true)
    }

    @Test func disablingPlexWhileTautulliNeedsItIsAnError() throws {
        let found = try findings(["DISABLED_SERVICES": "plex"]).filter { $0.id == .disabledDependency }
        #expect(Set(found.map(\.subject)) == ["tautulli", "overseerr"])
        #expect(found.allSatisfy { $0.severity == .error && $0.fix.contains("DISABLED_SERVICES") })
    }

    @Test func aVariableMissingFromTheFileIsReported() throws {
        let stack = Stack(settings: try TestSupport.settings("PUID=1000\nPGID=1000\n"))
        let found = StackChecks().run(stack, rendered: try StackRenderer().render(stack))
        let undefined = found.filter { $0.id == .undefinedVariable }
        #expect(undefined.contains { $0.subject == "TZ" && $0.severity == .error })
        #expect(undefined.contains { $0.subject == "PLEX_CLAIM" && $0.severity == .warning })
        #expect(!undefined.contains { $0.subject == "LAN_IP" }, "LAN_IP has a safe default in the files")
    }

    @Test func anUnknownSettingIsAWarning() throws {
        let stack = Stack(settings: try TestSupport.settings("PUID=1000\nSONAR_PORT=1\n"))
        let found = StackChecks().run(stack, rendered: try StackRenderer().render(stack))
        #expect(found.contains { $0.id == .unknownSetting && $0.subject == "SONAR_PORT" && $0.severity == .warning })
    }

    @Test func aStoredTagOlderThanTheCatalogsPinIsAWarning() throws {
        let jellyfin = try #require(Catalog.services.first { $0.name == .jellyfin })
        let pinned = try #require(ReleaseVersion(tag: jellyfin.image.tag)).numbers
        let older = "\(pinned[0] - 1).0.0"
        let newer = "\(pinned[0]).\(pinned[1]).\(pinned[2] + 1)"
        let behind = try findings(["JELLYFIN_IMAGE_TAG": older]).filter { $0.id == .imageTagBehindPin }
        #expect(behind.map(\.subject) == ["JELLYFIN_IMAGE_TAG"])
        #expect(behind.first?.severity == .warning)
        #expect(behind.first?.fix.contains("mediaserver upgrade jellyfin --to \(jellyfin.image.tag)") == true)
        #expect(try findings(["JELLYFIN_IMAGE_TAG": newer]).filter { $0.id == .imageTagBehindPin }.isEmpty)
        #expect(try findings([:]).filter { $0.id == .imageTagBehindPin }.isEmpty)
    }

    @Test func duplicateNamesInACatalogAreFound() throws {
        let settings = try TestSupport.settings(overriding: [:])
        let sonarr = try #require(Catalog.services.first { $0.name == "sonarr" })
        let stack = Stack(settings: settings, catalog: Catalog.services + [sonarr])
        let found = StackChecks().run(stack, rendered: [])
        #expect(found.contains { $0.id == .duplicateName && $0.subject == "sonarr" })
    }
}
