import MediaStack

/// Renders every file of the deployment from one `Stack`, in memory; writing is the caller's job.
public struct StackRenderer: Sendable {
    public init() {}

    public func render(_ stack: Stack) throws -> [RenderedFile] {
        var files: [RenderedFile] = []
        for id in StackID.allCases { files.append(try ComposeRenderer().render(stack, id)) }
        files.append(EnvExampleRenderer().render())
        if let recyclarr = try RecyclarrRenderer().render(stack) { files.append(recyclarr) }
        files += Fail2banRenderer().render(stack)
        files += try BackupRenderer().render(stack)
        files.append(try ComposeLintConfigRenderer().render(stack))
        // Observability: each renders nothing when the service that reads its files is disabled.
        if let prometheus = try PrometheusRenderer().render(stack) { files.append(prometheus) }
        files += try AlertRulesRenderer().render(stack)
        if let blackbox = try BlackboxRenderer().render(stack) { files.append(blackbox) }
        if let alertmanager = try AlertmanagerRenderer().render(stack) { files.append(alertmanager) }
        files += try GrafanaRenderer().render(stack)
        files += try HomepageRenderer().render(stack)
        if let caddyfile = CaddyfileRenderer().render(stack) { files.append(caddyfile) }
        if let authelia = try AutheliaRenderer().render(stack) { files.append(authelia) }
        return files.sorted { $0.path < $1.path }
    }
}
