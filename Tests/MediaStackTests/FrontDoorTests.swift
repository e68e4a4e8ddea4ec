import Foundation
import MediaStack
import MediaStackChecks
import MediaStackRendering
import Testing
import Yams

/// The front door (Caddy + Authelia): off by default, and what turning it on changes.
@Suite("Front door")
struct FrontDoorTests {
    static let on: [String: String] = [
        "DOMAIN": "media.example.test", "LAN_IP": "192.168.1.10",
        "AUTHELIA_SESSION_SECRET": "session-secret-must-not-appear-0123456789",
        "AUTHELIA_STORAGE_ENCRYPTION_KEY": "storage-key-must-not-appear-0123456789",
        "AUTHELIA_JWT_SECRET": "jwt-secret-must-not-appear-0123456789",
    ]

    static func stack(_ overrides: [String: String]) throws -> Stack {
        Stack(settings: try TestSupport.settings(overriding: overrides))
    }

    static func compose(_ files: [RenderedFile], _ path: String = "compose.yml") throws -> [String: Any] {
        try #require(try Yams.load(yaml: TestSupport.file(files, path)) as? [String: Any])
    }

    static func ports(_ document: [String: Any], _ service: String) -> [String] {
        let services = document["services"] as? [String: Any]
        return (services?[service] as? [String: Any])?["ports"] as? [String] ?? []
    }

    @Test func offByDefaultLeavesNoTrace() throws {
        let stack = try Self.stack([:])
        #expect(!stack.isEnabled(FrontDoor.proxy) && !stack.isEnabled(FrontDoor.authenticator))
        let files = try StackRenderer().render(stack)
        #expect(!files.contains { $0.path.hasPrefix("caddy/") || $0.path.hasPrefix("authelia/") })
        let compose = try Self.compose(files)
        #expect(Self.ports(compose, "sonarr") == ["${LAN_IP:-127.0.0.1}:8989:8989"])
        #expect(!TestSupport.file(files, "homepage-stack.yml").contains("GF_AUTH_PROXY"))
        #expect(HomepageRenderer.tiles(stack).first { $0.service == "sonarr" }?.href == "http://127.0.0.1:8989")
    }

    @Test func onOnlyCaddyListensOnTheLANAndEveryAppOnLoopback() throws {
        let stack = try Self.stack(Self.on)
        let files = try StackRenderer().render(stack)
        for id in StackID.allCases {
            let document = try Self.compose(files, id.composeFile)
            let services = try #require(document["services"] as? [String: Any])
            for name in services.keys {
                for mapping in Self.ports(document, name) {
                    if name == FrontDoor.proxy.rawValue {
                        #expect(mapping.hasPrefix("${LAN_IP:-127.0.0.1}:"), "\(name): \(mapping)")
                    } else {
                        #expect(mapping.hasPrefix("127.0.0.1:"), "\(name) is reachable around the proxy: \(mapping)")
                    }
                }
            }
        }
        let core = try Self.compose(files)
        #expect(Self.ports(core, "caddy") == ["${LAN_IP:-127.0.0.1}:80:80", "${LAN_IP:-127.0.0.1}:443:443"])
        #expect(Self.ports(core, "authelia").isEmpty)
    }

    @Test func homepageLinksFollowTheFrontDoor() throws {
        var settings = Self.on
        settings["CADDY_PORT"] = "8443"
        let tiles = HomepageRenderer.tiles(try Self.stack(settings))
        #expect(tiles.first { $0.service == "sonarr" }?.href == "https://sonarr.media.example.test:8443")
        #expect(tiles.first { $0.service == "plex" }?.href == "https://plex.media.example.test:8443/web")
        let standard = HomepageRenderer.tiles(try Self.stack(Self.on))
        #expect(standard.first { $0.service == "grafana" }?.href == "https://grafana.media.example.test")
        // The widgets keep talking to the apps on media_net.
        #expect(standard.first { $0.service == "sonarr" }?.widgetURL == "http://sonarr:8989")
    }

    @Test func everyWebUIGetsASiteAndNoExporterDoes() throws {
        let sites = CaddyfileRenderer.sites(try Self.stack(Self.on))
        let names = Set(sites.map(\.service.rawValue))
        #expect(names.isSuperset(of: ["jellyfin", "plex", "sonarr", "grafana", "homepage", "dozzle", "prometheus"]))
        #expect(names.isDisjoint(with: ["cadvisor", "node_exporter", "sab_exporter", "blackbox_exporter", "caddy"]))
        #expect(sites.first { $0.service == "plex" }?.upstream == "host.docker.internal:32400")
        #expect(sites.first { $0.service == "dozzle" }?.upstream == "dozzle:8080")
        // A disabled app leaves no site behind.
        var settings = Self.on
        settings["DISABLED_SERVICES"] = "dozzle"
        #expect(!CaddyfileRenderer.sites(try Self.stack(settings)).contains { $0.service == "dozzle" })
    }

    @Test func tlsModeAndACMEEmailShapeTheCaddyfile() throws {
        let internalFile = try #require(CaddyfileRenderer().render(try Self.stack(Self.on)))
        #expect(internalFile.contents.contains("\ttls internal\n"))
        #expect(!internalFile.contents.contains("email "))
        var acme = Self.on
        acme["PROXY_TLS"] = "acme"
        acme["ACME_EMAIL"] = "admin@example.com"
        let acmeFile = try #require(CaddyfileRenderer().render(try Self.stack(acme)))
        #expect(!acmeFile.contents.contains("tls internal"))
        #expect(acmeFile.contents.contains("{\n\temail admin@example.com\n}"))
    }

    @Test func noSecretReachesARenderedFile() throws {
        let files = try StackRenderer().render(try Self.stack(Self.on))
        for file in files {
            for key in ["AUTHELIA_SESSION_SECRET", "AUTHELIA_STORAGE_ENCRYPTION_KEY", "AUTHELIA_JWT_SECRET"] {
                let secret = try #require(Self.on[key])
                #expect(!file.contents.contains(secret), "\(file.path) holds \(key)")
            }
        }
    }

    /// What Authelia 4.39's validator requires (authelia/authelia internal/configuration/validator): a storage
    /// encryption key of 20+ characters (storage.go), a session secret and a reset-password JWT secret
    /// (session.go, identity_validation.go), a valid default policy with rules (access_control.go), and an
    /// absolute https authelia_url inside the cookie domain (session.go validateSessionCookiesURLs).
    @Test func theAutheliaConfigurationMeetsAutheliasValidation() throws {
        let stack = try Self.stack(Self.on)
        let files = try StackRenderer().render(stack)
        let config = try #require(
            try Yams.load(yaml: TestSupport.file(files, AutheliaRenderer.path)) as? [String: Any])

        // Secrets: each one is a file Compose fills from .env, and init makes each long enough.
        let core = try Self.compose(files)
        let services = try #require(core["services"] as? [String: Any])
        let authelia = try #require(services["authelia"] as? [String: Any])
        let environment = try #require(authelia["environment"] as? [String: String])
        let topSecrets = try #require(core["secrets"] as? [String: [String: String]])
        for (variable, secret) in [
            ("AUTHELIA_SESSION_SECRET_FILE", FrontDoor.sessionSecret),
            ("AUTHELIA_STORAGE_ENCRYPTION_KEY_FILE", FrontDoor.storageEncryptionKey),
            ("AUTHELIA_IDENTITY_VALIDATION_RESET_PASSWORD_JWT_SECRET_FILE", FrontDoor.resetPasswordJWTSecret),
        ] {
            #expect(environment[variable] == "/run/secrets/\(secret.name)")
            #expect(topSecrets[secret.name] == ["environment": secret.settingKey])
            guard case .passphrase(let length) = SettingsCatalog.generatedSecrets()[secret.settingKey] else {
                Issue.record("init does not generate \(secret.settingKey)")
                continue
            }
            #expect(length >= 20)
        }

        let access = try #require(config["access_control"] as? [String: Any])
        #expect(access["default_policy"] as? String == "deny")
        let rules = try #require(access["rules"] as? [[String: Any]])
        let twoFactor = try #require(rules.first { $0["policy"] as? String == "two_factor" })
        let protected = Set(twoFactor["domain"] as? [String] ?? [])
        #expect(protected.contains("sonarr.media.example.test") && protected.contains("grafana.media.example.test"))
        let bypass = Set(rules.first { $0["policy"] as? String == "bypass" }?["domain"] as? [String] ?? [])
        #expect(
            bypass == [
                "jellyfin.media.example.test", "plex.media.example.test", "jellyseerr.media.example.test",
                "overseerr.media.example.test",
            ])

        let session = try #require(config["session"] as? [String: Any])
        let cookies = try #require(session["cookies"] as? [[String: Any]])
        #expect(cookies.count == 1)
        #expect(cookies.first?["domain"] as? String == "media.example.test")
        let portal = try #require(URL(string: cookies.first?["authelia_url"] as? String ?? ""))
        #expect(portal.scheme == "https")
        #expect(portal.host?.hasSuffix(".media.example.test") == true)
        #expect(cookies.first?["default_redirection_url"] as? String != cookies.first?["authelia_url"] as? String)

        let storage = try #require(config["storage"] as? [String: Any])
        #expect((storage["local"] as? [String: String])?["path"]?.hasPrefix(AutheliaRenderer.dataFolder) == true)
        let backend = try #require(config["authentication_backend"] as? [String: Any])
        #expect((backend["file"] as? [String: Any])?["path"] as? String == AutheliaRenderer.usersFile)
    }

    @Test func theNotifierIsSMTPWhenAlertMailIsSetElseTheFilesystem() throws {
        let plain = try #require(try AutheliaRenderer().render(try Self.stack(Self.on)))
        #expect(plain.contents.contains("notifier:\n  filesystem:\n    filename: /data/notification.txt\n"))
        var mail = Self.on
        mail["ALERT_SMTP_SMARTHOST"] = "smtp.example.com:587"
        mail["ALERT_SMTP_FROM"] = "media@example.com"
        mail["ALERT_SMTP_USERNAME"] = "media@example.com"
        mail["ALERT_SMTP_PASSWORD"] = "smtp-password-must-not-appear"
        let stack = try Self.stack(mail)
        let files = try StackRenderer().render(stack)
        let config = TestSupport.file(files, AutheliaRenderer.path)
        #expect(config.contains("  smtp:\n    address: submission://smtp.example.com:587\n"))
        #expect(!config.contains("filesystem"))
        #expect(!files.contains { $0.contents.contains("smtp-password-must-not-appear") })
        let authelia = try #require(stack.service(FrontDoor.authenticator))
        #expect(authelia.secrets.contains(FrontDoor.smtpPassword))
        #expect(authelia.environment.contains { $0.key == "AUTHELIA_NOTIFIER_SMTP_PASSWORD_FILE" })
    }

    @Test func grafanaSignsInFromRemoteUserOnlyBehindTheFrontDoor() throws {
        let grafana = try #require(try Self.stack(Self.on).service("grafana"))
        let environment = Dictionary(uniqueKeysWithValues: grafana.environment.map { ($0.key, $0.value) })
        #expect(environment["GF_AUTH_PROXY_ENABLED"] == "true")
        #expect(environment["GF_AUTH_PROXY_HEADER_NAME"] == "Remote-User")
        let homepage = try #require(try Self.stack(Self.on).service("homepage"))
        #expect(
            homepage.environment.first { $0.key == "HOMEPAGE_ALLOWED_HOSTS" }?.value.hasSuffix(
                ",homepage.media.example.test") == true)
    }

    /// Caddy alone, at its fixed address on the front door network: the one address Grafana's auth.proxy trusts to
    /// name the user, so a client reaching Grafana around Caddy cannot sign in with a Remote-User header.
    @Test func onlyCaddysFixedAddressMayNameTheUser() throws {
        let files = try StackRenderer().render(try Self.stack(Self.on))
        let core = try Self.compose(files)
        let dashboard = try Self.compose(files, "homepage-stack.yml")
        func service(_ document: [String: Any], _ name: String) -> [String: Any] {
            (document["services"] as? [String: Any])?[name] as? [String: Any] ?? [:]
        }
        let caddy = service(core, "caddy")["networks"] as? [String: Any]
        #expect(caddy?.count == 1)
        #expect((caddy?["media_frontdoor"] as? [String: Any])?["ipv4_address"] as? String == "172.16.238.254")
        let network = (core["networks"] as? [String: Any])?["media_frontdoor"] as? [String: Any]
        let pool = ((network?["ipam"] as? [String: Any])?["config"] as? [[String: Any]])?.first
        #expect(pool?["subnet"] as? String == "172.16.238.0/24" && pool?["ip_range"] as? String == "172.16.238.0/25")
        #expect(
            (dashboard["networks"] as? [String: Any])?["media_frontdoor"] as? [String: AnyHashable]
                == ["name": "media_frontdoor", "external": true])
        let grafana = service(dashboard, "grafana")
        #expect((grafana["environment"] as? [String: Any])?["GF_AUTH_PROXY_WHITELIST"] as? String == "172.16.238.254")
        #expect(grafana["networks"] as? [String] == ["media_net", "media_frontdoor"])
        // The sites and Authelia join it; exporters and host-network Plex do not.
        #expect(service(core, "sonarr")["networks"] as? [String] == ["media_net", "media_frontdoor"])
        #expect(service(core, "authelia")["networks"] as? [String] == ["media_net", "media_frontdoor"])
        #expect(service(dashboard, "cadvisor")["networks"] as? [String] == ["media_net"])
        #expect(service(core, "plex")["networks"] == nil)

        // Another subnet moves Caddy to its last usable address, outside the range Docker assigns from.
        var moved = Self.on
        moved["PROXY_SUBNET"] = "10.99.0.0/16"
        let other = try Self.stack(moved)
        #expect(FrontDoor.proxyAddress(other.settings) == "10.99.255.254")
        #expect(FrontDoor.subnet(other.settings).automaticRange == "10.99.0.0/17")
        #expect(
            other.service("grafana")?.environment.first { $0.key == "GF_AUTH_PROXY_WHITELIST" }?.value
                == "10.99.255.254")

        // Off: no front door network, no whitelist.
        let off = try StackRenderer().render(try Self.stack([:]))
        #expect(!TestSupport.file(off, "compose.yml").contains("media_frontdoor"))
        #expect(!TestSupport.file(off, "homepage-stack.yml").contains("media_frontdoor"))
        #expect(FrontDoor.proxyAddress(try Self.stack([:]).settings) == nil)
    }

    /// Node Exporter (host network, no login) stays off the LAN behind the front door: it listens on loopback and
    /// on the host's address on the front door network (its gateway, fixed by PROXY_SUBNET), where Prometheus and
    /// Blackbox reach it as host.docker.internal. With the front door off nothing changes.
    @Test func nodeExporterListensOnlyWherePrometheusScrapesIt() throws {
        func service(_ document: [String: Any], _ name: String) -> [String: Any] {
            (document["services"] as? [String: Any])?[name] as? [String: Any] ?? [:]
        }
        let files = try StackRenderer().render(try Self.stack(Self.on))
        let core = try Self.compose(files)
        let dashboard = try Self.compose(files, "homepage-stack.yml")
        let network = (core["networks"] as? [String: Any])?["media_frontdoor"] as? [String: Any]
        let pool = ((network?["ipam"] as? [String: Any])?["config"] as? [[String: Any]])?.first
        #expect(pool?["gateway"] as? String == "172.16.238.1")
        let command = service(dashboard, "node_exporter")["command"] as? [String] ?? []
        #expect(
            command.filter { $0.hasPrefix("--web.listen-address=") }
                == ["--web.listen-address=127.0.0.1:9100", "--web.listen-address=172.16.238.1:9100"])
        #expect(command.contains("--path.rootfs=/host"))
        for name in ["prometheus", "blackbox_exporter"] {
            #expect(
                service(dashboard, name)["extra_hosts"] as? [String] == ["host.docker.internal:172.16.238.1"],
                "\(name)")
        }
        // The scrape target and the probe keep the name; only the address behind it moved.
        let prometheus = TestSupport.file(files, PrometheusRenderer.path)
        #expect(prometheus.contains("host.docker.internal:9100"))
        // Caddy and Homepage reach only Plex, which listens on every address: they keep Docker's host gateway.
        #expect(service(core, "caddy")["extra_hosts"] as? [String] == ["host.docker.internal:host-gateway"])
        #expect(service(dashboard, "homepage")["extra_hosts"] as? [String] == ["host.docker.internal:host-gateway"])

        // Another subnet moves the gateway with it.
        var moved = Self.on
        moved["PROXY_SUBNET"] = "10.99.0.0/16"
        let other = try Self.stack(moved)
        #expect(
            other.service(.nodeExporter)?.command.contains("--web.listen-address=10.99.0.1:9100") == true)

        // Caddy disabled: no front door network, so Node Exporter keeps listening where Prometheus reaches it.
        var noProxy = Self.on
        noProxy["DISABLED_SERVICES"] = "caddy"
        let withoutProxy = try Self.stack(noProxy)
        #expect(withoutProxy.service(.nodeExporter)?.command.contains("--web.listen-address=:9100") == true)
        #expect(withoutProxy.service(.prometheus)?.extraHosts == ["host.docker.internal:host-gateway"])

        // Off: the catalog's flag and Docker's host gateway, as before.
        let off = try Self.stack([:])
        #expect(
            off.service(.nodeExporter)?.command.filter { $0.hasPrefix("--web.listen-address=") }
                == ["--web.listen-address=:9100"])
        #expect(off.service(.blackboxExporter)?.extraHosts == ["host.docker.internal:host-gateway"])
    }

    @Test(arguments: ["10.0.0.1/24", "10.0.0.0/27", "10.0.0.0/8", "10.0.0/24", "fd00::/64", "172.16.238.0", "x"])
    func aSubnetDockerCannotTakeIsASettingsError(_ subnet: String) throws {
        var settings = Self.on
        settings["PROXY_SUBNET"] = subnet
        do {
            _ = try Self.stack(settings)
            Issue.record("PROXY_SUBNET=\(subnet) was accepted")
        } catch let error as SettingsError {
            #expect(error.issues.map(\.message).contains { $0.hasPrefix("PROXY_SUBNET=") }, "\(error.issues)")
        }
    }

    @Test func jailsBanOnTheProxysPortsBehindTheFrontDoor() throws {
        let jails = Fail2banRenderer.jails(try Self.stack(Self.on))
        let authelia = try #require(jails.first { $0.service == FrontDoor.authenticator })
        #expect(authelia.chain == "DOCKER-USER" && authelia.ports == [80, 443])
        #expect(jails.first { $0.service == "sonarr" }?.ports == [80, 443])
        #expect(jails.first { $0.service == "plex" }?.chain == "INPUT")
        // Off: each app's own port, as before.
        #expect(Fail2banRenderer.jails(try Self.stack([:])).first { $0.service == "sonarr" }?.ports == [8989])
    }

    @Test func autheliasStateIsBackedUpAndItsFirstPasswordIsNot() throws {
        let files = try StackRenderer().render(try Self.stack(Self.on))
        let sources = TestSupport.file(files, "backup/config/config.yaml")
        #expect(sources.contains("\"{source_root}/authelia\""))
        let excludes = TestSupport.file(files, "backup/excludes.txt")
        #expect(excludes.contains("sh:**/authelia/first-login.txt\n"))
        #expect(excludes.contains("sh:**/authelia/logs\n"))
        #expect(!excludes.contains("db.sqlite3") && !excludes.contains("users_database"))
        // Off: nothing of the front door in the backup.
        let off = try StackRenderer().render(try Self.stack([:]))
        #expect(!TestSupport.file(off, "backup/config/config.yaml").contains("authelia"))
    }

    // MARK: - Checks

    static func findings(_ overrides: [String: String], catalog: [Service] = Catalog.services) throws -> [Finding] {
        let stack = Stack(settings: try TestSupport.settings(overriding: overrides), catalog: catalog)
        return FrontDoorChecks().run(stack)
    }

    /// The catalog with Sonarr told to trust the proxy's login.
    static var externalSonarr: [Service] { sonarr(authMethod: "External") }

    /// The catalog with Sonarr asking for its own login form, as the seed sets it.
    static var formsSonarr: [Service] { sonarr(authMethod: "Forms") }

    /// The catalog with Sonarr's login method set to `authMethod` (SONARR__AUTH__METHOD).
    static func sonarr(authMethod: String) -> [Service] {
        Catalog.services.map { service in
            guard service.name == "sonarr" else { return service }
            return Service(
                service.name, stack: service.stack, summary: service.summary, image: service.image,
                identity: service.identity, port: 8989,
                environment: [EnvironmentVariable("SONARR__AUTH__METHOD", authMethod)],
                health: .http("/ping", via: .curl))
        }
    }

    @Test func theArrAppsTrustTheProxysLoginOnlyBehindIt() throws {
        func method(_ overrides: [String: String]) throws -> String? {
            let stack = Stack(settings: try TestSupport.settings(overriding: overrides), catalog: Self.formsSonarr)
            return stack.service("sonarr")?.environment.first { $0.key == "SONARR__AUTH__METHOD" }?.value
        }
        #expect(try method([:]) == "Forms")
        #expect(try method(Self.on) == "External")
        var noAuthelia = Self.on
        noAuthelia["DISABLED_SERVICES"] = "authelia"
        #expect(try method(noAuthelia) == "Forms")
        // What the stack decides never trips the check.
        for overrides in [[:], Self.on, noAuthelia] {
            #expect(try Self.findings(overrides, catalog: Self.formsSonarr).isEmpty)
        }
    }

    @Test func externalAuthenticationIsAnErrorUnlessOnlyTheProxyReachesTheApp() throws {
        let off = try Self.findings([:], catalog: Self.externalSonarr).filter { $0.id == .externalAuthExposed }
        #expect(off.map(\.subject) == ["sonarr"])
        #expect(off.first?.severity == .error)
        #expect(try Self.findings(Self.on, catalog: Self.externalSonarr).isEmpty)
        var noAuthelia = Self.on
        noAuthelia["DISABLED_SERVICES"] = "authelia"
        let open = try Self.findings(noAuthelia, catalog: Self.externalSonarr)
        #expect(open.map(\.id) == [.externalAuthExposed])
        // Forms (the default) is never a finding.
        #expect(try Self.findings([:]).isEmpty)
    }

    @Test(arguments: ["localhost", "media..test", "https://media.test", "-media.test", "media.test:443"])
    func aDomainThatIsNotAHostNameIsAnError(_ domain: String) throws {
        var settings = Self.on
        settings["DOMAIN"] = domain
        #expect(try Self.findings(settings).map(\.id) == [.proxyDomain])
    }

    @Test func anUnknownTLSModeIsAnError() throws {
        var settings = Self.on
        settings["PROXY_TLS"] = "letsencrypt"
        let found = try Self.findings(settings)
        #expect(found.map(\.id) == [.proxyTLSMode])
        #expect(found.first?.fix.contains("PROXY_TLS=acme") == true)
    }
}
