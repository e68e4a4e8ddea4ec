import MediaStack

/// Renders Homepage's configuration folder (`homepage/`, mounted read-only at /app/config): every file Homepage
/// would otherwise create at start, so it never needs to write there.
///
/// `services.yaml` has one tile per enabled service with a dashboard tile, grouped as the catalog declares, with
/// the container's status through the socket proxy and the service's widget. Widget credentials appear only as
/// `{{HOMEPAGE_VAR_<SETTING>}}`; `Stack` gives Homepage the matching `HOMEPAGE_VAR_<SETTING>=${SETTING}` environment.
public struct HomepageRenderer: Sendable {
    public static let folder = "homepage"
    /// The docker.yaml server name tiles refer to.
    public static let dockerServer = "mediaserver"

    public init() {}

    /// One tile of `services.yaml`.
    public struct Tile: Hashable, Sendable {
        public let group: String
        public let title: String
        public let service: ServiceName
        public let href: String
        public let widget: HomepageWidget?
        public let widgetURL: String?
    }

    /// The tiles of the enabled services, in catalog order.
    public static func tiles(_ stack: Stack) -> [Tile] {
        let lanIP = stack.settings[.lanIP]
        let host = lanIP.contains(":") ? "[\(lanIP)]" : lanIP
        let sites = CaddyfileRenderer.sites(stack)
        let https = stack.service(FrontDoor.proxy)?.ports.first { $0.containerPort.value == 443 }
        let httpsPort = https.map { $0.hostPort.value == 443 ? "" : ":\($0.hostPort)" } ?? ""
        return stack.services.compactMap { service in
            guard let tile = service.dashboard else { return nil }
            let port = service.ports.first?.hostPort ?? service.hostPorts.first?.port
            let suffix = service.usesHostNetwork ? "/web" : ""
            let loopback = service.ports.first?.loopbackOnly == true
            var href = port.map { "http://\(loopback ? "127.0.0.1" : host):\($0)\(suffix)" } ?? ""
            // Behind the front door the link is the app's HTTPS subdomain: its own port answers on loopback only.
            if let site = sites.first(where: { $0.service == service.name }) {
                href = "https://\(site.host)\(httpsPort)\(suffix)"
            }
            let widgetURL = service.port.map { "http://\(PrometheusRenderer.host(of: service)):\($0.container)" }
            return Tile(
                group: tile.group, title: tile.title ?? service.name.title, service: service.name, href: href,
                widget: tile.widget, widgetURL: widgetURL)
        }
    }

    public func render(_ stack: Stack) throws -> [RenderedFile] {
        guard stack.isEnabled(.homepage) else { return [] }
        let source = stack.settings.source
        func header(_ file: String, _ extra: [String] = []) -> [String] {
            RenderHeader.lines + extra
        }
        func yaml(_ file: String, _ value: YAMLValue, _ extra: [String] = []) throws -> RenderedFile {
            RenderedFile(path: "\(Self.folder)/\(file)", contents: try value.yaml(header: header(file, extra)))
        }
        func commentsOnly(_ file: String, _ extra: [String]) -> RenderedFile {
            RenderedFile(
                path: "\(Self.folder)/\(file)", contents: header(file, extra).map { "# \($0)\n" }.joined())
        }
        let docker = stack.isEnabled(Catalog.socketProxy)
        let tiles = Self.tiles(stack)
        let services = stack.services
        var groups: [String] = []
        for tile in tiles where !groups.contains(tile.group) { groups.append(tile.group) }
        let servicesValue: YAMLValue = .list(
            groups.map { group in
                .map([
                    (
                        group,
                        .list(
                            tiles.filter { $0.group == group }.map { tile in
                                .map([(tile.title, tileValue(tile, services, docker: docker))])
                            })
                    )
                ])
            })
        var files = [
            try yaml(
                "settings.yaml",
                .map([
                    ("title", .string("Media server")),
                    ("theme", .string("dark")),
                    ("color", .string("slate")),
                    ("headerStyle", .string("clean")),
                    ("statusStyle", .string("dot")),
                    ("hideVersion", .bool(true)),
                    ("layout", .map(groups.map { ($0, .map([("style", .string("row")), ("columns", .int(4))])) })),
                ])),
            try yaml(
                "services.yaml", servicesValue,
                [
                    "Widget keys are HOMEPAGE_VAR_<SETTING> in double braces: Homepage substitutes them from its",
                    "environment, which homepage-stack.yml sets from .env.",
                ]),
            try yaml(
                "widgets.yaml",
                .list([
                    .map([
                        (
                            "resources",
                            .map([("cpu", .bool(true)), ("memory", .bool(true)), ("disk", .string("/"))])
                        )
                    ]),
                    .map([
                        (
                            "datetime",
                            .map([("text_size", .string("md")), ("format", .map([("timeStyle", .string("short"))]))])
                        )
                    ]),
                ])),
            try yaml(
                "bookmarks.yaml",
                .list([
                    .map([
                        (
                            "Guides",
                            .list([
                                .map([
                                    (
                                        "TRaSH Guides",
                                        .list([
                                            .map([
                                                ("abbr", .string("TG")),
                                                ("href", .string("https://trash-guides.info/")),
                                            ])
                                        ])
                                    )
                                ]),
                                .map([
                                    (
                                        "Homepage docs",
                                        .list([
                                            .map([
                                                ("abbr", .string("HP")),
                                                ("href", .string("https://gethomepage.dev/")),
                                            ])
                                        ])
                                    )
                                ]),
                            ])
                        )
                    ])
                ])),
            // Kubernetes integration off; Homepage would otherwise try to create this file.
            try yaml("kubernetes.yaml", .map([("mode", .string("disabled"))])),
            commentsOnly("proxmox.yaml", ["No Proxmox server: intentionally empty."]),
            RenderedFile(
                path: "\(Self.folder)/custom.css",
                contents: "/*\n" + header("custom.css").map { " * \($0)\n" }.joined() + " */\n"),
            RenderedFile(
                path: "\(Self.folder)/custom.js", contents: header("custom.js").map { "// \($0)\n" }.joined()),
        ]
        if docker, let proxy = stack.service(Catalog.socketProxy) {
            files.append(
                try yaml(
                    "docker.yaml",
                    .map([
                        (
                            Self.dockerServer,
                            .map([
                                ("host", .string(Catalog.dockerProxyHost)),
                                ("port", .int(Catalog.dockerProxyPort)),
                            ])
                        )
                    ]),
                    ["Container status through the read-only socket proxy (\(proxy.name)), never the socket itself."]))
        } else {
            files.append(commentsOnly("docker.yaml", ["The socket proxy is disabled: no container status."]))
        }
        return files.sorted { $0.path < $1.path }
    }

    private func tileValue(_ tile: Tile, _ services: [Service], docker: Bool) -> YAMLValue {
        let service = services.first { $0.name == tile.service }
        var pairs: [(String, YAMLValue)] = []
        if let dashboard = service?.dashboard {
            pairs.append(("icon", .string(dashboard.icon)))
            if !tile.href.isEmpty { pairs.append(("href", .string(tile.href))) }
            pairs.append(("description", .string(dashboard.description)))
        }
        if docker, let service {
            pairs.append(("server", .string(Self.dockerServer)))
            pairs.append(("container", .string(service.containerName)))
        }
        if let widget = tile.widget, let url = tile.widgetURL {
            var fields: [(String, YAMLValue)] = [("type", .string(widget.type)), ("url", .string(url))]
            if let key = widget.keySetting {
                fields.append(("key", .string("{{\(HomepageWidget.variable(for: key))}}")))
            }
            if !widget.fields.isEmpty { fields.append(("fields", .flowList(widget.fields))) }
            if widget.enableBlocks { fields.append(("enableBlocks", .bool(true))) }
            pairs.append(("widget", .map(fields)))
        }
        return .map(pairs)
    }
}
