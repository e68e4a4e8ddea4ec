import Foundation
import MediaStack
import MediaStackOperations
import MediaStackRendering
import Testing

/// The rendered fail2ban filters and jails, judged by Debian's fail2ban (`fail2ban-regex`, `fail2ban-client -t/-d`;
/// neither needs a server or iptables). The sample logs in Tests/Fixtures/fail2ban name each line's source.
@Suite("fail2ban accepts the rendered jails and filters")
struct Fail2banIntegrationTests {
    static let samples = IntegrationSupport.fixtures.appendingPathComponent("fail2ban")

    /// The render of `.env.example`: every jail enabled (with the front door on, Authelia's too).
    static func rendered(frontDoor: Bool = false) throws -> (Stack, [RenderedFile]) {
        var example = try String(
            contentsOf: IntegrationSupport.repositoryRoot.appendingPathComponent(".env.example"), encoding: .utf8)
        if frontDoor { example = try IntegrationSupport.exampleSettings(overriding: ["DOMAIN": "media.test"]) }
        let stack = Stack(settings: try Settings.parse(example, path: ".env.example"))
        return (stack, Fail2banRenderer().render(stack))
    }

    /// Writes the rendered files under `folder` (which plays the repository root).
    static func write(_ files: [RenderedFile], into folder: URL) throws {
        for file in files {
            let url = folder.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.contents.write(to: url, atomically: true, encoding: .utf8)
        }
    }

    /// `Lines: 12 lines, 0 ignored, 11 matched, 1 missed` → (12, 11).
    static func summary(_ output: String) -> (total: Int, matched: Int)? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("Lines: ") }) else { return nil }
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard numbers.count >= 3 else { return nil }
        return (numbers[0], numbers[2])
    }

    @Test("filter matches exactly the expected addresses", arguments: Fail2banFilter.allCases)
    func filterMatchesSamples(_ filter: Fail2banFilter) async throws {
        guard let regex = IntegrationSupport.tool("fail2ban-regex") else { return }
        let (_, files) = try Self.rendered(frontDoor: true)
        let folder = try IntegrationSupport.scratchCheckout()
        try Self.write(files, into: folder)
        let conf = folder.appendingPathComponent(Fail2banRenderer.filterPath(filter)).path
        let match = Self.samples.appendingPathComponent("\(filter.rawValue)-match.log").path
        let expected = try String(
            contentsOf: Self.samples.appendingPathComponent("\(filter.rawValue)-match.ips"), encoding: .utf8
        ).split(separator: "\n").map(String.init)
        #expect(expected.count >= 8)

        // rc is 0 even when nothing matches: the matched addresses are what counts.
        let ips = try await IntegrationSupport.run(regex, ["-o", "ip", match, conf])
        #expect(ips.status == 0, "\(ips.standardError)")
        #expect(ips.standardOutput.split(separator: "\n").map(String.init) == expected)

        let all = try await IntegrationSupport.run(regex, [match, conf])
        let matchSummary = try #require(Self.summary(all.standardOutput), "\(all.standardOutput)")
        #expect(matchSummary.matched == matchSummary.total, "a sample line that must match was missed")

        let nomatch = Self.samples.appendingPathComponent("\(filter.rawValue)-nomatch.log").path
        let benign = try await IntegrationSupport.run(regex, [nomatch, conf])
        let benignSummary = try #require(Self.summary(benign.standardOutput), "\(benign.standardOutput)")
        #expect(benignSummary.total >= 8)
        #expect(benignSummary.matched == 0, "benign lines matched:\n\(benign.standardOutput)")
    }

    /// Debian's /etc/fail2ban with the rendered jail.d and filter.d laid over it, so `%(action_)s` and the
    /// `paths-*.conf` files resolve; Debian's own sshd jail is removed (its log does not exist here).
    static func overlay(_ files: [RenderedFile]) throws -> URL {
        let folder = try IntegrationSupport.scratchCheckout()
        let overlay = folder.appendingPathComponent("fail2ban")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: "/etc/fail2ban"), to: overlay)
        try? FileManager.default.removeItem(at: overlay.appendingPathComponent("jail.d/defaults-debian.conf"))
        for file in files {
            let relative = String(file.path.dropFirst(Fail2banRenderer.folder.count + 1))
            try file.contents.write(
                to: overlay.appendingPathComponent(relative), atomically: true, encoding: .utf8)
        }
        return overlay
    }

    /// A test-only override: each jail's logpath points at its filter's sample log (the real ones live in the
    /// fail2ban container at /logs/<service>).
    static func sampleLogOverrides(_ stack: Stack, into overlay: URL) throws {
        let text = Fail2banRenderer.jails(stack).map { jail in
            "[\(jail.service)]\nlogpath = \(samples.appendingPathComponent("\(jail.log.filter.rawValue)-match.log").path)\n"
        }.joined(separator: "\n")
        try text.write(to: overlay.appendingPathComponent("jail.d/zz-test.local"), atomically: true, encoding: .utf8)
    }

    @Test(arguments: [false, true])
    func theJailDirectoryPassesTheConfigurationTest(frontDoor: Bool) async throws {
        guard let client = IntegrationSupport.tool("fail2ban-client") else { return }
        let (stack, files) = try Self.rendered(frontDoor: frontDoor)
        let overlay = try Self.overlay(files)
        try Self.sampleLogOverrides(stack, into: overlay)
        let output = try await IntegrationSupport.run(client, ["-c", overlay.path, "-t"])
        #expect(output.status == 0, "\(output.standardOutput)\(output.standardError)")
        #expect((output.standardOutput + output.standardError).contains("OK: configuration test is successful"))
    }

    @Test func theRealLogPathsResolveIncludingPlexSpaces() async throws {
        guard let client = IntegrationSupport.tool("fail2ban-client") else { return }
        let (stack, files) = try Self.rendered()
        // The container's /logs tree, re-rooted: real file names, Plex's spaces, Seerr's relative symlink.
        let logs = try IntegrationSupport.scratchCheckout().appendingPathComponent("logs")
        let manager = FileManager.default
        for jail in Fail2banRenderer.jails(stack) {
            let folder = logs.appendingPathComponent(jail.service.rawValue)
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            let sample = Self.samples.appendingPathComponent("\(jail.log.filter.rawValue)-match.log")
            let name = jail.log.file.replacingOccurrences(of: "*", with: "20260820")
            if jail.log.filter == .seerr {
                try manager.copyItem(at: sample, to: folder.appendingPathComponent("seerr-2026-08-20.log"))
                try manager.createSymbolicLink(
                    atPath: folder.appendingPathComponent(name).path, withDestinationPath: "seerr-2026-08-20.log")
            } else {
                try manager.copyItem(at: sample, to: folder.appendingPathComponent(name))
            }
        }
        let rerooted = files.map { file in
            file.path == Fail2banRenderer.jailPath
                ? RenderedFile(
                    path: file.path,
                    contents: file.contents.replacingOccurrences(
                        of: "logpath  = /logs/", with: "logpath  = \(logs.path)/"))
                : file
        }
        let overlay = try Self.overlay(rerooted)
        let output = try await IntegrationSupport.run(client, ["-c", overlay.path, "-t"])
        #expect(output.status == 0, "\(output.standardOutput)\(output.standardError)")

        // The control: the path written with its spaces is what fail2ban cannot take.
        let plex = logs.appendingPathComponent("plex/Plex Media Server.log").path
        try "[plex]\nlogpath = \(plex)\n".write(
            to: overlay.appendingPathComponent("jail.d/zz-spaces.local"), atomically: true, encoding: .utf8)
        let control = try await IntegrationSupport.run(client, ["-c", overlay.path, "-t"])
        #expect(control.status != 0)
        #expect((control.standardOutput + control.standardError).contains("Have not found any log file for plex"))
    }

    @Test func eachJailBansInTheChainThatSeesItsTraffic() async throws {
        guard let client = IntegrationSupport.tool("fail2ban-client") else { return }
        let (stack, files) = try Self.rendered()
        let overlay = try Self.overlay(files)
        try Self.sampleLogOverrides(stack, into: overlay)
        let dump = try await IntegrationSupport.run(client, ["-c", overlay.path, "-d"])
        #expect(dump.status == 0, "\(dump.standardError)")
        let lines = dump.standardOutput.split(separator: "\n").map(String.init)
        // Every enabled service that logs failed logins: host-network ones in INPUT, published ones in DOCKER-USER.
        let expected = Dictionary(
            uniqueKeysWithValues: stack.services.filter { $0.authLog != nil }.map {
                ($0.name.rawValue, $0.usesHostNetwork ? "INPUT" : "DOCKER-USER")
            })
        #expect(Set(Fail2banRenderer.jails(stack).map(\.service.rawValue)) == Set(expected.keys))
        for seed in ["jellyfin", "sonarr", "radarr", "prowlarr", "jellyseerr", "overseerr"] {
            #expect(expected[seed] == "DOCKER-USER", "\(seed)")
        }
        #expect(expected["plex"] == "INPUT")
        for (jail, chain) in expected {
            let action = try #require(
                lines.first { $0.hasPrefix("['multi-set', '\(jail)', 'action', ") }, "no action for \(jail)")
            #expect(action.contains("['chain', '\(chain)']"), "\(jail): \(action.prefix(300))")
            #expect(action.contains("-I \(chain) -p"), "\(jail): actionstart does not insert into \(chain)")
            #expect(lines.contains("['add', '\(jail)', 'polling']"))
        }
        let plexPorts = try #require(lines.first { $0.hasPrefix("['multi-set', 'plex', 'action', ") })
        #expect(plexPorts.contains("['port', '32400,32469,8324']"))
        // DOCKER-USER sees packets after DNAT: the overseerr jail names container port 5055, not host port 5155.
        let overseerr = try #require(lines.first { $0.hasPrefix("['multi-set', 'overseerr', 'action', ") })
        #expect(overseerr.contains("['port', '5055']"))
    }

    /// Behind the front door every client arrives on Caddy's published ports, so Authelia's jail (and each app's)
    /// bans there, in DOCKER-USER.
    @Test func behindTheFrontDoorJailsBanOnTheProxysPorts() async throws {
        guard let client = IntegrationSupport.tool("fail2ban-client") else { return }
        let (stack, files) = try Self.rendered(frontDoor: true)
        let overlay = try Self.overlay(files)
        try Self.sampleLogOverrides(stack, into: overlay)
        let dump = try await IntegrationSupport.run(client, ["-c", overlay.path, "-d"])
        #expect(dump.status == 0, "\(dump.standardError)")
        let lines = dump.standardOutput.split(separator: "\n").map(String.init)
        for jail in ["authelia", "sonarr", "jellyfin"] {
            let action = try #require(
                lines.first { $0.hasPrefix("['multi-set', '\(jail)', 'action', ") }, "no action for \(jail)")
            #expect(action.contains("['chain', 'DOCKER-USER']"), "\(jail): \(action.prefix(300))")
            #expect(action.contains("['port', '80,443']"), "\(jail): \(action.prefix(300))")
        }
        #expect(lines.contains("['add', 'authelia', 'polling']"))
        let plex = try #require(lines.first { $0.hasPrefix("['multi-set', 'plex', 'action', ") })
        #expect(plex.contains("['chain', 'INPUT']"))
    }
}
