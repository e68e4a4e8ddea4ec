import MediaStack

/// Renders one Compose file per stack (`compose.yml`, `homepage-stack.yml`) from the enabled services.
public struct ComposeRenderer: Sendable {
    public static let network = "media_net"
    /// The label Watchtower (run with WATCHTOWER_LABEL_ENABLE=true) updates; nothing without it is touched.
    public static let watchtowerOptIn = "com.centurylinklabs.watchtower.enable=true"

    public init() {}

    public func render(_ stack: Stack, _ id: StackID) throws -> RenderedFile {
        let services = stack.services(in: id)
        let portValues = Self.portValues(stack)
        var root: [(String, YAMLValue)] = [("name", .string(id.projectName))]
        root.append(("services", .map(services.map { ($0.name.rawValue, serviceValue($0, stack, portValues)) })))
        let network: [(String, YAMLValue)] =
            switch id {
            case .core: [("name", .string(Self.network))]
            // Created by the core stack; the dashboard stack only joins it.
            case .dashboard: [("name", .string(Self.network)), ("external", .bool(true))]
            }
        var networks: [(String, YAMLValue)] = [(Self.network, .map(network))]
        if let frontDoor = Self.frontDoorNetwork(stack, id) { networks.append((FrontDoor.network, frontDoor)) }
        root.append(("networks", .map(networks)))
        // Secrets whose value Compose reads from the environment (.env) and mounts at /run/secrets/<name>.
        let secrets = services.flatMap(\.secrets)
        if !secrets.isEmpty {
            root.append(
                ("secrets", .map(secrets.map { ($0.name, .map([("environment", .string($0.settingKey))])) })))
        }
        let volumes = services.flatMap(\.mounts).compactMap { mount -> String? in
            if case .volume(let name) = mount.source { return name }
            return nil
        }
        if !volumes.isEmpty {
            root.append(("volumes", .map(Array(Set(volumes)).sorted().map { ($0, .map([])) })))
        }
        let header =
            RenderHeader.lines + [
                stackPurpose(id)
            ]
        return RenderedFile(path: id.composeFile, contents: try YAMLValue.map(root).yaml(header: header))
    }

    /// The front door network in stack `id`, while Caddy runs: the core stack creates it with a fixed subnet (Caddy's
    /// address outside the range Docker assigns from); the dashboard stack joins it when one of its apps is a site.
    static func frontDoorNetwork(_ stack: Stack, _ id: StackID) -> YAMLValue? {
        guard FrontDoor.isEnabled(stack.settings), stack.isEnabled(FrontDoor.proxy) else { return nil }
        let subnet = FrontDoor.subnet(stack.settings)
        switch id {
        case .core:
            return .map([
                ("name", .string(FrontDoor.network)),
                (
                    "ipam",
                    .map([
                        (
                            "config",
                            .list([
                                .map([
                                    ("subnet", .string(subnet.description)),
                                    ("ip_range", .string(subnet.automaticRange)),
                                    // The host's address on the network, where Node Exporter listens.
                                    ("gateway", .string(subnet.gatewayAddress)),
                                ])
                            ])
                        )
                    ])
                ),
            ])
        case .dashboard:
            guard stack.services(in: .dashboard).contains(where: FrontDoor.joinsNetwork) else { return nil }
            return .map([("name", .string(FrontDoor.network)), ("external", .bool(true))])
        }
    }

    /// A service's `networks`: `media_net`, plus the front door network for the sites Caddy proxies; Caddy on the
    /// front door network alone, at its fixed address.
    static func networks(of service: Service, _ stack: Stack) -> YAMLValue {
        guard FrontDoor.isEnabled(stack.settings), stack.isEnabled(FrontDoor.proxy) else {
            return .list([.string(network)])
        }
        if service.name == FrontDoor.proxy {
            let address = FrontDoor.subnet(stack.settings).proxyAddress
            return .map([(FrontDoor.network, .map([("ipv4_address", .string(address))]))])
        }
        if FrontDoor.joinsNetwork(service) { return .list([.string(network), .string(FrontDoor.network)]) }
        return .list([.string(network)])
    }

    private func stackPurpose(_ id: StackID) -> String {
        switch id {
        case .core: "Core stack: media apps, security, updates and backups. Start: docker compose up -d"
        case .dashboard:
            "Dashboard and monitoring. Start after the core stack: docker compose -f homepage-stack.yml up -d"
        }
    }

    /// Host-port settings are resolved at render time (Compose never sees them).
    static func portValues(_ stack: Stack) -> [String: String] {
        var values: [String: String] = [:]
        for service in stack.catalog {
            for port in service.ports { values[port.settingKey] = String(stack.settings.hostPort(for: port).value) }
        }
        return values
    }

    private func serviceValue(_ service: Service, _ stack: Stack, _ ports: [String: String]) -> YAMLValue {
        func resolve(_ text: String) -> String { VariableReference.substitute(text, ports) }
        var pairs: [(String, YAMLValue)] = [
            ("container_name", .string(service.containerName)),
            ("image", .string(service.image.description)),
        ]
        if let hostname = service.hostname { pairs.append(("hostname", .string(hostname))) }
        if service.initProcess { pairs.append(("init", .bool(true))) }
        if case .user = service.identity { pairs.append(("user", .string("${PUID}:${PGID}"))) }
        if !service.groupAdd.isEmpty { pairs.append(("group_add", .list(service.groupAdd.map { .string($0) }))) }
        if !service.profiles.isEmpty { pairs.append(("profiles", .list(service.profiles.map { .string($0) }))) }
        switch service.network {
        case .host: pairs.append(("network_mode", .string("host")))
        case .mediaNet: pairs.append(("networks", Self.networks(of: service, stack)))
        }
        if service.hostPID { pairs.append(("pid", .string("host"))) }
        if !service.ports.isEmpty {
            pairs.append(("ports", .list(service.ports.map { .string(Self.portMapping($0)) })))
        }
        let environment = identityEnvironment(service.identity) + service.environment
        if !environment.isEmpty {
            pairs.append(("environment", .map(environment.map { ($0.key, .string(resolve($0.value))) })))
        }
        if !service.mounts.isEmpty {
            pairs.append(("volumes", .list(service.mounts.map { .string(Self.volume($0, of: service)) })))
        }
        if !service.devices.isEmpty { pairs.append(("devices", .list(service.devices.map { .string($0) }))) }
        if service.privileged { pairs.append(("privileged", .bool(true))) }
        let security = service.security
        if security.noNewPrivileges { pairs.append(("security_opt", .list([.string("no-new-privileges:true")]))) }
        if security.dropAllCapabilities { pairs.append(("cap_drop", .list([.string("ALL")]))) }
        if !service.capAdd.isEmpty { pairs.append(("cap_add", .list(service.capAdd.map { .string($0) }))) }
        if security.readOnlyRootFilesystem { pairs.append(("read_only", .bool(true))) }
        if !security.tmpfs.isEmpty { pairs.append(("tmpfs", .list(security.tmpfs.map { .string($0) }))) }
        if let limit = security.memoryLimit { pairs.append(("mem_limit", .string(limit.description))) }
        if !service.extraHosts.isEmpty {
            pairs.append(("extra_hosts", .list(service.extraHosts.map { .string($0) })))
        }
        if !service.secrets.isEmpty { pairs.append(("secrets", .list(service.secrets.map { .string($0.name) }))) }
        if !service.command.isEmpty { pairs.append(("command", .list(service.command.map { .string($0) }))) }
        if service.autoUpdate { pairs.append(("labels", .list([.string(Self.watchtowerOptIn)]))) }
        if let health = service.health, let test = health.containerTest {
            pairs.append(
                (
                    "healthcheck",
                    .map([
                        ("test", .flowList(test)),
                        ("interval", .string("\(health.interval)s")),
                        ("timeout", .string("\(health.timeout)s")),
                        ("retries", .int(health.retries)),
                        ("start_period", .string("\(health.startPeriod)s")),
                    ])
                ))
        }
        if let health = service.health, health.containerTest == nil {
            // Probed from outside only: an image HEALTHCHECK that tests nothing (Watchtower's `--health-check`
            // exits 0 whatever happens) must not report the container healthy.
            pairs.append(("healthcheck", .map([("disable", .bool(true))])))
        }
        let dependencies = service.dependsOn.filter { name in
            stack.service(name)?.stack == service.stack
        }
        if !dependencies.isEmpty {
            pairs.append(
                (
                    "depends_on",
                    .map(dependencies.map { ($0.rawValue, .map([("condition", .string("service_healthy"))])) })
                ))
        }
        if let grace = service.stopGracePeriod { pairs.append(("stop_grace_period", .string(grace.description))) }
        pairs.append(("restart", .string(service.restart.rawValue)))
        return .map(pairs)
    }

    private func identityEnvironment(_ identity: Service.Identity) -> [EnvironmentVariable] {
        switch identity {
        case .linuxServer:
            [
                EnvironmentVariable("PUID", "${PUID}"), EnvironmentVariable("PGID", "${PGID}"),
                EnvironmentVariable("UMASK", "${UMASK}"), EnvironmentVariable("TZ", "${TZ}"),
            ]
        case .puidPgid:
            [
                EnvironmentVariable("PUID", "${PUID}"), EnvironmentVariable("PGID", "${PGID}"),
                EnvironmentVariable("TZ", "${TZ}"),
            ]
        case .user, .imageDefault:
            []
        }
    }

    /// `${LAN_IP:-127.0.0.1}:HOST:CONTAINER[/udp]`: never every interface, even when `.env` lacks LAN_IP;
    /// `127.0.0.1:HOST:CONTAINER` for a loopback-only port (exporters, and every app behind the front door, where
    /// the proxy is then the only way in from the LAN).
    static func portMapping(_ port: PublishedPort) -> String {
        let suffix = port.proto == .udp ? "/udp" : ""
        let address = port.loopbackOnly ? "127.0.0.1" : "${LAN_IP:-127.0.0.1}"
        return "\(address):\(port.hostPort):\(port.containerPort)\(suffix)"
    }

    /// The host side of a mount, as Compose sees it.
    public static func hostPath(_ source: Mount.Source, of service: Service) -> String {
        func join(_ base: String, _ sub: String) -> String { sub.isEmpty ? base : "\(base)/\(sub)" }
        switch source {
        case .config(let sub): return join("${CONFIG_ROOT}/\(service.name)", sub)
        case .configRoot(let sub): return join("${CONFIG_ROOT}", sub)
        case .data(let sub): return join("${DATA_ROOT}", sub)
        case .backupRepository: return "${BACKUP_ROOT}"
        case .repository(let path): return "./\(path)"
        case .host(let path): return path
        case .volume(let name): return name
        }
    }

    static func volume(_ mount: Mount, of service: Service) -> String {
        let options = (mount.readOnly ? ["ro"] : []) + mount.options
        let base = "\(hostPath(mount.source, of: service)):\(mount.target)"
        return options.isEmpty ? base : "\(base):\(options.joined(separator: ","))"
    }
}
