/// The enabled services of one deployment with their effective host ports: what renderers, checks and operations
/// all work from.
public struct Stack: Hashable, Sendable {
    public let settings: Settings
    /// Enabled services in catalog order, host ports resolved from the settings.
    public let services: [Service]
    /// Every catalog service, enabled or not (checks look at dependencies of disabled ones).
    public let catalog: [Service]

    public init(settings: Settings, catalog: [Service] = Catalog.services) {
        self.settings = settings
        self.catalog = catalog
        // The front door's services exist only while DOMAIN is set.
        let frontDoor = FrontDoor.isEnabled(settings)
        let enabled = catalog.filter {
            !settings.disabledServices.contains($0.name) && (frontDoor || !FrontDoor.services.contains($0.name))
        }
        // fail2ban reads each enabled app's log directory, read-only; a disabled app leaves no mount behind.
        let logMounts = enabled.compactMap { service -> Mount? in
            guard let log = service.authLog else { return nil }
            return Mount(
                .configRoot("\(service.name)/\(log.directory)"), AuthLog.mountPoint(for: service.name), readOnly: true)
        }
        // Homepage gets the credentials of every enabled widget, as HOMEPAGE_VAR_<KEY>, once each.
        var widgetKeys: [String] = []
        for key in enabled.flatMap({ $0.dashboard?.widget?.settingKeys ?? [] }) where !widgetKeys.contains(key) {
            widgetKeys.append(key)
        }
        let widgetEnvironment = widgetKeys.map { EnvironmentVariable(HomepageWidget.variable(for: $0), "${\($0)}") }
        // The catalog passes /dev/dri; TRANSCODE_DEVICE picks another device or, empty, none (and no render group).
        let gpu = settings[.transcodeDevice]
        self.services = enabled.map { service in
            var resolved = service
            resolved.image = settings.image(of: service)
            if service.devices.contains(where: { $0.hasPrefix(Catalog.gpuDevice + ":") }) {
                resolved.devices = service.devices.compactMap { device in
                    guard device.hasPrefix(Catalog.gpuDevice + ":") else { return device }
                    return gpu.isEmpty ? nil : "\(gpu):\(gpu)"
                }
                if gpu.isEmpty { resolved.groupAdd = service.groupAdd.filter { $0 != Catalog.renderGroup } }
            }
            if service.readsAuthLogs { resolved.mounts += logMounts }
            if frontDoor { FrontDoor.resolve(&resolved, settings) }
            if service.showsWidgets { resolved.environment += widgetEnvironment }
            resolved.ports = resolved.ports.map { port in
                var port = port
                port.hostPort = settings.hostPort(for: port)
                // Declared loopback ports stay there; behind the front door every app but the proxy joins them.
                port.loopbackOnly = port.loopbackOnly || (frontDoor && service.name != FrontDoor.proxy)
                return port
            }
            return resolved
        }
    }

    /// The enabled services of one Compose stack.
    public func services(in stack: StackID) -> [Service] { services.filter { $0.stack == stack } }

    /// The enabled service called `name`, if any.
    public func service(_ name: ServiceName) -> Service? { services.first { $0.name == name } }

    /// Whether `name` is enabled.
    public func isEnabled(_ name: ServiceName) -> Bool { service(name) != nil }
}
