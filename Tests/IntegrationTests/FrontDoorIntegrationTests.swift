import Foundation
import MediaStack
import MediaStackChecks
import MediaStackOperations
import MediaStackRendering
import TestKit
import Testing

/// The rendered Caddyfile judged and run by Debian's real Caddy (2.6): `caddy validate` on every variant, and a live
/// run on loopback with `tls internal`, stand-in apps and a contract fake of Authelia's forward-auth endpoint
/// (scripts/fixtures/front_door_lab.py), every host name mapped to its own loopback address through a private
/// /etc/hosts (scripts/with-hosts-file), so Caddy reads the rendered upstreams (`sonarr:8989`, `authelia:9091`,
/// `host.docker.internal:32400`) unchanged.
@Suite("Front door: the rendered Caddyfile in the real Caddy", .serialized)
struct FrontDoorIntegrationTests {
    static let domain = "media.test"

    static func stack(_ overrides: [String: String]) throws -> Stack {
        var settings = ["DOMAIN": domain]
        settings.merge(overrides) { _, new in new }
        return Stack(
            settings: try Settings.parse(IntegrationSupport.exampleSettings(overriding: settings), path: ".env"))
    }

    /// Every shape the Caddyfile takes: both TLS modes, with and without an ACME e-mail, without Authelia (no
    /// forward_auth at all), without the *arr apps (no API-key matchers) and without Plex (no host gateway).
    static let variants: [[String: String]] = [
        [:],
        ["PROXY_TLS": "acme", "ACME_EMAIL": "admin@example.com"],
        ["PROXY_TLS": "acme"],
        ["DISABLED_SERVICES": "authelia"],
        ["DISABLED_SERVICES": "sonarr,radarr,prowlarr,recyclarr", "DOMAIN": "home.arpa"],
        ["DISABLED_SERVICES": "plex,tautulli,overseerr", "CADDY_PORT": "8443"],
    ]

    @Test("caddy validate accepts the rendered Caddyfile", arguments: variants.indices)
    func caddyValidates(_ index: Int) async throws {
        guard let caddy = IntegrationSupport.tool("caddy") else { return }
        let stack = try Self.stack(Self.variants[index])
        let file = try #require(CaddyfileRenderer().render(stack))
        let folder = try IntegrationSupport.scratchCheckout()
        let path = folder.appendingPathComponent("Caddyfile")
        try file.contents.write(to: path, atomically: true, encoding: .utf8)
        let output = try await IntegrationSupport.run(
            caddy, ["validate", "--adapter", "caddyfile", "--config", path.path], in: folder, timeout: TestTime.process)
        #expect(output.status == 0, "variant \(Self.variants[index]):\n\(output.standardError.suffix(2000))")
        #expect(output.standardError.contains("Valid configuration") || output.standardOutput.contains("Valid"))
        // The adapted JSON holds a route for every site and, with Authelia, the forward-auth request.
        let adapted = try await IntegrationSupport.run(
            caddy, ["adapt", "--adapter", "caddyfile", "--config", path.path], in: folder, timeout: TestTime.process)
        #expect(adapted.status == 0)
        for site in CaddyfileRenderer.sites(stack) {
            #expect(adapted.standardOutput.contains("\"\(site.host)\""), "no route for \(site.host)")
        }
        let asksAuthelia = adapted.standardOutput.contains("/api/authz/forward-auth")
        #expect(asksAuthelia == stack.isEnabled(FrontDoor.authenticator))
    }

    @Test func aBrokenCaddyfileIsRefused() async throws {
        guard let caddy = IntegrationSupport.tool("caddy") else { return }
        let file = try #require(CaddyfileRenderer().render(try Self.stack([:])))
        let folder = try IntegrationSupport.scratchCheckout()
        let path = folder.appendingPathComponent("Caddyfile")
        try file.contents.replacingOccurrences(of: "\tforward_auth ", with: "\tforward_authx ").write(
            to: path, atomically: true, encoding: .utf8)
        let output = try await IntegrationSupport.run(
            caddy, ["validate", "--adapter", "caddyfile", "--config", path.path], in: folder, timeout: TestTime.process)
        #expect(output.status != 0)
        #expect(output.standardError.contains("forward_authx"))
    }

    /// One HTTP answer as curl saw it.
    struct Answer {
        let status: Int
        let location: String
        let body: [String: Any]
    }

    /// The live matrix: each admin app sends a browser without a session to the portal (302) and an API client
    /// away (401), refuses a first-factor-only session, and answers with a two-factor session, receiving Authelia's
    /// Remote-User; bypassed apps answer without a session; an *arr `/api` call with a key passes without one.
    @Test func theLiveMatrixThroughTheRealCaddy() async throws {
        guard let caddy = IntegrationSupport.tool("caddy"), let curl = IntegrationSupport.tool("curl") else { return }
        let wrapper = IntegrationSupport.repositoryRoot.appendingPathComponent("scripts/with-hosts-file").path
        let probe = try await IntegrationSupport.run(wrapper, ["--probe"])
        guard probe.succeeded else {
            Issue.record("a private /etc/hosts is not possible here (needs CAP_SYS_ADMIN): \(probe.standardError)")
            return
        }
        let stack = try Self.stack([:])
        let base = 20_000 + Int(getpid()) % 20_000
        // Caddy listens on every address: two ports free on all of them, so a second test run never meets this one.
        let listeners = try ReservedPort.free(2, on: "0.0.0.0")
        let (httpPort, httpsPort) = (listeners[0], listeners[1])
        let file = try #require(
            CaddyfileRenderer(listener: .init(httpPort: httpPort, httpsPort: httpsPort)).render(stack))
        let folder = try IntegrationSupport.scratchCheckout()
        var caddyfile = file.contents

        // Each upstream host gets its own loopback address; the stand-in listens on the rendered port. A port some
        // other program holds on every address of this machine (a Plex on 0.0.0.0:32400) cannot be taken on
        // loopback either: only then the test copy moves that one upstream to a free port, and says so.
        let sites = CaddyfileRenderer.sites(stack)
        var upstreams = sites.map { ($0.service.rawValue, $0.upstream) }
        upstreams.append(("authelia", "authelia:\(FrontDoor.authenticatorPort)"))
        let octet = 20 + Int(getpid()) % 200
        var hosts = ["127.0.0.1 localhost"]
        var lab: [String] = []
        var spare = base + 100
        for (index, (name, upstream)) in upstreams.enumerated() {
            let parts = upstream.split(separator: ":").map(String.init)
            let address = "127.77.\(octet).\(10 + index)"
            var port = Int(parts[1]) ?? 0
            if !HostFacts().isPortFree(port, address: address) {
                while !HostFacts().isPortFree(spare, address: address) { spare += 1 }
                print("front-door test: \(upstream) is taken on this machine; the test copy uses port \(spare)")
                caddyfile = caddyfile.replacingOccurrences(
                    of: "reverse_proxy \(upstream)\n", with: "reverse_proxy \(parts[0]):\(spare)\n")
                caddyfile = caddyfile.replacingOccurrences(
                    of: "forward_auth \(upstream) {", with: "forward_auth \(parts[0]):\(spare) {")
                port = spare
                spare += 1
            }
            hosts.append("\(address) \(parts[0])")
            lab.append("\(name)=\(address):\(port)")
        }
        try caddyfile.write(to: folder.appendingPathComponent("Caddyfile"), atomically: true, encoding: .utf8)
        let hostsFile = folder.appendingPathComponent("hosts")
        try (hosts.joined(separator: "\n") + "\n").write(to: hostsFile, atomically: true, encoding: .utf8)

        let portal = "https://\(FrontDoor.portalHost(domain: Self.domain))"
        // Each stand-in reports its port: the ready line has one port per server.
        let standIns = try FixtureServer.python(
            "front-door stand-ins", "scripts/fixtures/front_door_lab.py", [portal] + lab, readyPorts: lab.count)
        defer { standIns.stop() }

        let log = folder.appendingPathComponent("caddy.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let caddyServer = try FixtureServer(
            "caddy", wrapper,
            [
                hostsFile.path, caddy, "run", "--adapter", "caddyfile", "--config",
                folder.appendingPathComponent("Caddyfile").path,
            ],
            readyPorts: 0, stopsOnEOF: false,
            environment: [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": folder.path,
                "XDG_DATA_HOME": folder.appendingPathComponent("data").path,
                "XDG_CONFIG_HOME": folder.appendingPathComponent("config").path,
            ], log: try FileHandle(forWritingTo: log))
        defer { caddyServer.stop() }

        let root = folder.appendingPathComponent("data/caddy/pki/authorities/local/root.crt")
        func request(_ service: String, _ path: String = "/", _ extra: [String] = []) async throws -> Answer {
            let host = service.contains(".") ? service : "\(service).\(Self.domain)"
            let output = try await IntegrationSupport.run(
                curl,
                [
                    "-s", "--max-time", String(TestTime.wholeSeconds(TestTime.request)), "--cacert", root.path,
                    "--resolve", "\(host):\(httpsPort):127.0.0.1",
                    "-w", "\n%{http_code} %{redirect_url}", "https://\(host):\(httpsPort)\(path)",
                ] + extra, timeout: TestTime.process)
            let lines = output.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
            let last = lines.last.map(String.init) ?? ""
            let status = Int(last.split(separator: " ").first ?? "") ?? 0
            let location = last.split(separator: " ", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            let bodyText = lines.dropLast().joined(separator: "\n")
            let body = (try? JSONSerialization.jsonObject(with: Data(bodyText.utf8))) as? [String: Any] ?? [:]
            return Answer(status: status, location: location, body: body)
        }
        // Caddy issues the internal certificates at start; wait for the root and the first answer.
        var up = false
        for _ in 0..<TestTime.polls(every: .milliseconds(200)) {
            if FileManager.default.fileExists(atPath: root.path), try await request("jellyfin").status == 200 {
                up = true
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let caddyLog = { (try? String(contentsOf: log, encoding: .utf8))?.suffix(3000) ?? "" }
        try #require(up, "Caddy did not serve jellyfin.\(Self.domain):\n\(caddyLog())")

        let browser = ["-H", "Accept: text/html"]
        let apiClient = ["-H", "Accept: application/json"]
        let twoFactor = ["-b", "authelia_session=lab-two-factor-session"]
        let oneFactor = ["-b", "authelia_session=lab-one-factor-session"]
        var checkedAdmin = 0
        for site in sites {
            let name = site.service.rawValue
            switch site.access {
            case .ownLogin:
                let answer = try await request(name, "/", browser)
                #expect(answer.status == 200, "\(name) must answer without a session")
                #expect(answer.body["app"] as? String == name)
                #expect(answer.body["remote_user"] is NSNull, "\(name) got a Remote-User it never asked for")
            case .twoFactor, .twoFactorExceptAPIKey, .twoFactorRemoteUser:
                checkedAdmin += 1
                let redirected = try await request(name, "/", browser)
                #expect(redirected.status == 302, "\(name) without a session: \(redirected.status)")
                let target = "https://\(site.host):\(httpsPort)/"
                // Go's url.Values.Encode, like Python's urlencode, leaves only letters, digits and -._~ unescaped.
                let unreserved = CharacterSet(
                    charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
                let expected =
                    "\(portal)/?rd=\(target.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")&rm=GET"
                #expect(redirected.location == expected, "\(name): \(redirected.location)")
                #expect(try await request(name, "/", apiClient).status == 401, "\(name): an API client, no session")
                // curl's own Accept: */* counts as a browser for Authelia (*/* first).
                #expect(try await request(name).status == 302, "\(name): Accept */* without a session")
                #expect(try await request(name, "/", browser + oneFactor).status == 302, "\(name): one factor")
                let passed = try await request(name, "/", twoFactor)
                #expect(passed.status == 200, "\(name) with two factors: \(passed.status)")
                #expect(passed.body["app"] as? String == name)
                #expect(passed.body["remote_user"] as? String == "alice")
                #expect(passed.body["remote_groups"] as? String == "admins")
            }
            if case .twoFactorExceptAPIKey = site.access {
                let header = try await request(name, "/api/v3/system/status", ["-H", "X-Api-Key: lab-key"])
                #expect(header.status == 200, "\(name) /api with X-Api-Key: \(header.status)")
                #expect(header.body["api_key"] as? String == "lab-key")
                #expect(header.body["remote_user"] is NSNull)
                let query = try await request(name, "/api/v3/system/status?apikey=lab-key")
                #expect(query.status == 200 && query.body["query"] as? String == "apikey=lab-key")
                // Without a key, /api is guarded like the rest; a key outside /api opens nothing.
                #expect(try await request(name, "/api/v3/system/status", apiClient).status == 401)
                #expect(try await request(name, "/", browser + ["-H", "X-Api-Key: lab-key"]).status == 302)
            } else if case .twoFactor = site.access {
                #expect(
                    try await request(name, "/api/v3/system/status", apiClient + ["-H", "X-Api-Key: lab-key"]).status
                        == 401,
                    "\(name) lets an API key past the login")
            }
        }
        #expect(checkedAdmin == 12)
        #expect(sites.contains { $0.service == "plex" && $0.upstream == "host.docker.internal:32400" })

        // A forged Remote-User never reaches Grafana: without a session Authelia refuses, with one its user wins.
        let forgedAlone = try await request("grafana", "/", apiClient + ["-H", "Remote-User: mallory"])
        #expect(forgedAlone.status == 401)
        let forged = try await request("grafana", "/", twoFactor + ["-H", "Remote-User: mallory"])
        #expect(forged.body["remote_user"] as? String == "alice")

        // The portal's own name reaches Authelia; plain HTTP is redirected to HTTPS.
        let portalAnswer = try await request(FrontDoor.portalHost(domain: Self.domain), "/")
        #expect(portalAnswer.body["app"] as? String == "authelia")
        let plain = try await IntegrationSupport.run(
            curl,
            [
                "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "--max-time",
                String(TestTime.wholeSeconds(TestTime.request)), "-H",
                "Host: sonarr.\(Self.domain)", "http://127.0.0.1:\(httpPort)/",
            ], timeout: TestTime.process)
        #expect(plain.standardOutput.hasPrefix("308 https://sonarr.\(Self.domain)"), "\(plain.standardOutput)")
    }
}

/// `mediaserver doctor` on the front door's names, resolved through a private /etc/hosts (scripts/with-hosts-file)
/// by the real system resolver.
@Suite("Front door: doctor resolves the names for real")
struct FrontDoorDoctorTests {
    /// Runs `mediaserver doctor --json` with `hosts` as /etc/hosts and returns the findings' ids and subjects.
    static func doctor(_ overrides: [String: String], hosts: [String]) async throws -> [[String: Any]]? {
        let wrapper = IntegrationSupport.repositoryRoot.appendingPathComponent("scripts/with-hosts-file").path
        let probe = try await IntegrationSupport.run(wrapper, ["--probe"])
        guard probe.succeeded else {
            Issue.record("a private /etc/hosts is not possible here (needs CAP_SYS_ADMIN): \(probe.standardError)")
            return nil
        }
        let root = try IntegrationSupport.scratchCheckout(
            env: try IntegrationSupport.exampleSettings(overriding: overrides))
        let hostsFile = root.appendingPathComponent("hosts")
        try ((["127.0.0.1 localhost"] + hosts).joined(separator: "\n") + "\n").write(
            to: hostsFile, atomically: true, encoding: .utf8)
        let output = try await IntegrationSupport.run(
            wrapper,
            [hostsFile.path, try IntegrationSupport.executable(), "doctor", "--root", root.path, "--json"],
            timeout: TestTime.process)
        let report = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        return try #require(report?["findings"] as? [[String: Any]], "\(output.standardOutput)\(output.standardError)")
    }

    static func ids(_ findings: [[String: Any]]) -> Set<String> {
        Set(findings.compactMap { $0["id"] as? String }.filter { $0.hasPrefix("proxy-") })
    }

    @Test func everyNameResolvingToLANIPAndAFittingTLSModePass() async throws {
        let names = ["auth"] + FrontDoor.access.keys.map(\.rawValue)
        let hosts = names.map { "192.0.2.10 \($0).media.home.arpa" }
        guard
            let findings = try await Self.doctor(
                ["DOMAIN": "media.home.arpa", "LAN_IP": "192.0.2.10"], hosts: hosts)
        else { return }
        #expect(Self.ids(findings).isEmpty, "\(findings)")
    }

    @Test func missingNamesWrongAddressesAndAMismatchedTLSModeAreFound() async throws {
        // Sonarr's name points elsewhere and the portal's is missing: both found, with the names.
        let names = FrontDoor.access.keys.map(\.rawValue).filter { $0 != "sonarr" }
        let hosts = names.map { "192.0.2.10 \($0).media.home.arpa" } + ["192.0.2.99 sonarr.media.home.arpa"]
        guard
            let findings = try await Self.doctor(
                ["DOMAIN": "media.home.arpa", "LAN_IP": "192.0.2.10", "PROXY_TLS": "acme"], hosts: hosts)
        else { return }
        #expect(Self.ids(findings) == ["proxy-dns", "proxy-acme-lan-name"], "\(findings)")
        let dns = try #require(findings.first { $0["id"] as? String == "proxy-dns" })
        #expect((dns["message"] as? String)?.contains("auth.media.home.arpa") == true)
        // With acme, a split-horizon address is fine; with internal it must be LAN_IP.
        guard
            let internalFindings = try await Self.doctor(
                ["DOMAIN": "media.home.arpa", "LAN_IP": "192.0.2.10"],
                hosts: hosts + ["192.0.2.10 auth.media.home.arpa"])
        else { return }
        #expect(Self.ids(internalFindings) == ["proxy-dns-elsewhere"], "\(internalFindings)")
        let elsewhere = try #require(internalFindings.first { $0["id"] as? String == "proxy-dns-elsewhere" })
        #expect((elsewhere["message"] as? String)?.contains("sonarr.media.home.arpa → 192.0.2.99") == true)
    }

    /// The front door network's subnet against this host's routes, read from a /proc/net/route as the kernel prints
    /// it (each address a host-order u32 in hex): a LAN route over it is an error; the Docker bridge of the network
    /// itself (exactly the subnet, `br-…`) is not.
    @Test func aSubnetThisHostAlreadyRoutesIsAnError() async throws {
        let root = try IntegrationSupport.scratchCheckout()
        let fileSystem = root.appendingPathComponent("fs")
        let proc = fileSystem.appendingPathComponent("proc/net")
        try FileManager.default.createDirectory(at: proc, withIntermediateDirectories: true)
        try """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        eth0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0
        eth0\t0000000A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
        br-1a2b3c\t00EE10AC\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0

        """.write(to: proc.appendingPathComponent("route"), atomically: true, encoding: .utf8)
        let host = HostFacts(fileSystemRoot: fileSystem.path)
        #expect(host.ipv4Routes().map(\.cidr) == ["10.0.0.0/16", "172.16.238.0/24"])
        func findings(_ subnet: String) async throws -> [Finding] {
            let env = try IntegrationSupport.exampleSettings(overriding: [
                "DOMAIN": "media.home.arpa", "PROXY_SUBNET": subnet,
                "CONFIG_ROOT": root.appendingPathComponent("config").path,
            ])
            let stack = Stack(settings: try Settings.parse(env, path: ".env"))
            return await Doctor(stack: stack, host: host).run().filter { $0.id == .proxySubnet }
        }
        let clash = try await findings("10.0.4.0/24")
        #expect(clash.count == 1 && clash.first?.severity == .error)
        #expect(clash.first?.message.contains("10.0.0.0/16 on eth0") == true, "\(clash)")
        #expect(try await findings("172.16.238.0/24").isEmpty, "the network's own bridge is not a clash")
        #expect(try await findings("172.16.0.0/16").first?.message.contains("172.16.238.0/24 on br-1a2b3c") == true)
    }

    @Test func aPublicDomainWithInternalTLSIsAWarning() async throws {
        let names = ["auth"] + FrontDoor.access.keys.map(\.rawValue)
        let hosts = names.map { "192.0.2.10 \($0).media.example.com" }
        guard
            let findings = try await Self.doctor(
                ["DOMAIN": "media.example.com", "LAN_IP": "192.0.2.10"], hosts: hosts)
        else { return }
        #expect(Self.ids(findings) == ["proxy-internal-public-name"])
        #expect(
            findings.first { $0["id"] as? String == "proxy-internal-public-name" }?["severity"] as? String == "warning")
    }
}
