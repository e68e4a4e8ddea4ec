import MediaStack

/// Renders `caddy/Caddyfile`, the front door's reverse proxy: one site per web UI at `<service>.DOMAIN`, Authelia's
/// portal at `auth.DOMAIN`, and `forward_auth` to Authelia in front of every admin app.
///
/// Only directives that both Debian's Caddy 2.6 (the test suite's) and the pinned image's 2.11 know are used:
/// the global options `email`, `admin`, `http_port`, `https_port`, `skip_install_trust`; snippets and `import`;
/// `tls internal`; named matchers with `path`, `header` and `query`; `handle`; `forward_auth` with `uri` and
/// `copy_headers` (Caddy 2.5.1+); `reverse_proxy`.
public struct CaddyfileRenderer: Sendable {
    public static let path = "caddy/Caddyfile"

    /// Where Caddy listens and whether it may touch the machine: the deployment keeps Caddy's defaults (80, 443,
    /// the admin API on localhost:2019 for the healthcheck); a test run moves the ports and turns the rest off.
    public struct Listener: Hashable, Sendable {
        public let httpPort: Int
        public let httpsPort: Int

        public init(httpPort: Int, httpsPort: Int) {
            self.httpPort = httpPort
            self.httpsPort = httpsPort
        }
    }

    /// One site of the Caddyfile: a host name, where it proxies to, and who may pass.
    public struct Site: Hashable, Sendable {
        public let service: ServiceName
        public let host: String
        /// `host:port` of the app on `media_net` (or the host gateway for Plex).
        public let upstream: String
        public let access: FrontDoor.Access
    }

    let listener: Listener?

    /// - Parameter listener: test ports; nil renders the deployment's Caddyfile.
    public init(listener: Listener? = nil) {
        self.listener = listener
    }

    /// The snippet every admin site imports.
    static let authSnippet = "authelia"

    /// The sites of the enabled web UIs, in catalog order (empty while the front door is off).
    public static func sites(_ stack: Stack) -> [Site] {
        guard let domain = FrontDoor.domain(stack.settings) else { return [] }
        return stack.services.compactMap { service in
            guard let access = FrontDoor.access[service.name], let port = webPort(of: service) else { return nil }
            return Site(
                service: service.name, host: FrontDoor.host(of: service.name, domain: domain),
                upstream: "\(PrometheusRenderer.host(of: service)):\(port)", access: access)
        }
    }

    /// The port the app's web UI answers on inside `media_net` (the host port for host-network Plex).
    static func webPort(of service: Service) -> Int? {
        if let port = service.ports.first { return port.containerPort.value }
        return service.health?.http?.port.value ?? service.hostPorts.first?.port.value
    }

    public func render(_ stack: Stack) -> RenderedFile? {
        guard let domain = FrontDoor.domain(stack.settings), stack.isEnabled(FrontDoor.proxy) else { return nil }
        let tls = FrontDoor.tlsMode(stack.settings)
        let authelia = stack.isEnabled(FrontDoor.authenticator)
        var lines = RenderHeader.lines.map { "# \($0)" }
        lines.append("# Sites: <service>.\(domain); TLS: \(tls.rawValue). See docs/remote-access.md.")

        var global: [String] = []
        if tls == .acme, !stack.settings[FrontDoor.acmeEmailKey].isEmpty {
            let email = stack.settings[FrontDoor.acmeEmailKey]
            global.append("email \(email)")
        }
        if let listener {
            global += [
                "admin off", "http_port \(listener.httpPort)", "https_port \(listener.httpsPort)",
                "skip_install_trust",
            ]
        }
        if !global.isEmpty {
            lines.append("{")
            lines += global.map { "\t\($0)" }
            lines.append("}")
        }

        let portal = "\(FrontDoor.authenticator.rawValue):\(FrontDoor.authenticatorPort)"
        if authelia {
            lines += [
                "",
                "# Asks Authelia (authelia/authelia internal/handlers/handler_authz_impl_forwardauth.go) whether the",
                "# request may pass: 200 with Remote-* headers (copied to the app), else its 302/401 to the portal.",
                "(\(Self.authSnippet)) {",
                "\tforward_auth \(portal) {",
                "\t\turi /api/authz/forward-auth",
                "\t\tcopy_headers Remote-User Remote-Groups Remote-Email Remote-Name",
                "\t}",
                "}",
                "",
                "\(FrontDoor.portalHost(domain: domain)) {",
            ]
            if tls == .internal { lines.append("\ttls internal") }
            lines += ["\treverse_proxy \(portal)", "}"]
        }

        for site in Self.sites(stack) {
            lines += ["", "\(site.host) {"]
            if tls == .internal { lines.append("\ttls internal") }
            switch site.access {
            case .ownLogin(let reason):
                lines += ["\t# No single sign-on: \(reason).", "\treverse_proxy \(site.upstream)"]
            case .twoFactor, .twoFactorRemoteUser:
                if authelia { lines.append("\timport \(Self.authSnippet)") }
                lines.append("\treverse_proxy \(site.upstream)")
            case .twoFactorExceptAPIKey:
                guard authelia else {
                    lines.append("\treverse_proxy \(site.upstream)")
                    break
                }
                lines += [
                    "\t# API calls with a key go to the app, which checks the key (Homepage, Prowlarr, mobile apps).",
                    "\t@apikey_header {",
                    "\t\tpath /api/*",
                    "\t\theader X-Api-Key *",
                    "\t}",
                    "\t@apikey_query {",
                    "\t\tpath /api/*",
                    "\t\tquery apikey=*",
                    "\t}",
                    "\thandle @apikey_header {",
                    "\t\treverse_proxy \(site.upstream)",
                    "\t}",
                    "\thandle @apikey_query {",
                    "\t\treverse_proxy \(site.upstream)",
                    "\t}",
                    "\thandle {",
                    "\t\timport \(Self.authSnippet)",
                    "\t\treverse_proxy \(site.upstream)",
                    "\t}",
                ]
            }
            lines.append("}")
        }
        return RenderedFile(path: Self.path, contents: lines.joined(separator: "\n") + "\n")
    }
}
