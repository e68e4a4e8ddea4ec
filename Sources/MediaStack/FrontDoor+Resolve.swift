extension FrontDoor {
    /// Node Exporter's listen-address flag.
    static let nodeExporterListenFlag = "--web.listen-address="
    /// The name containers reach the host by (`extra_hosts`).
    static let hostGatewayName = "host.docker.internal"

    /// What changes in a service while the front door is on, beyond its ports (which `Stack` binds to loopback).
    static func resolve(_ service: inout Service, _ settings: Settings) {
        let domain = settings[domainKey]
        // The *arr apps stop asking for a second login only where Authelia guards them (two factors) and their own
        // port is loopback-only; `FrontDoorChecks` reports any other combination as an error.
        if access[service.name] == .twoFactorExceptAPIKey, settings.disabledServices.isDisjoint(with: services) {
            service.environment = service.environment.map { variable in
                guard variable.key.hasSuffix(authenticationMethodSuffix) else { return variable }
                return EnvironmentVariable(variable.key, "External")
            }
        }
        switch service.name {
        case proxy:
            // Port 80 beside the service's HTTPS port: ACME's HTTP-01 challenge and the redirect to HTTPS.
            service.ports.insert(PublishedPort(host: 80, container: 80, settingKey: httpPortKey.rawValue), at: 0)
        case "grafana":
            // Grafana's auth.proxy signs in the user Authelia names in Remote-User (Caddy's forward_auth copies
            // it). The whitelist is Caddy's fixed address alone: a client reaching Grafana any other way (its
            // loopback port, another container on media_net) cannot sign in by sending Remote-User.
            // The [auth.proxy] keys enabled, header_name, header_property, auto_sign_up and whitelist, and their
            // defaults (enabled false, header_name X-WEBAUTH-USER, header_property username, auto_sign_up true,
            // whitelist empty = any address; IPs or CIDRs, comma-separated): grafana/grafana conf/defaults.ini
            // [auth.proxy] (stored commit 002060fdada8ac00eda5e1cd8f24a780e2463b97) and
            // grafana.com/docs/grafana/v13.0/setup-grafana/configure-access/configure-authentication/auth-proxy,
            // the newest versioned page of the 13 line, which lists the same keys and defaults.
            // The 13.2.0 tag itself could not be read: the repository's snapshot (3.2 GB) is over what can be
            // fetched, and the stored pkg/setting/setting.go and pkg/services/authn/clients/proxy.go are of older
            // commits, whose parseAcceptList and isAllowedIP match the connection's own address (RemoteAddr, not
            // X-Forwarded-For) and refuse others with 401 auth-proxy.invalid-ip. GF_<SECTION>_<KEY> overrides:
            // docs setup-grafana/configure-grafana.
            service.environment += [
                EnvironmentVariable("GF_AUTH_PROXY_ENABLED", "true"),
                EnvironmentVariable("GF_AUTH_PROXY_HEADER_NAME", "Remote-User"),
                EnvironmentVariable("GF_AUTH_PROXY_HEADER_PROPERTY", "username"),
                EnvironmentVariable("GF_AUTH_PROXY_AUTO_SIGN_UP", "true"),
                EnvironmentVariable("GF_AUTH_PROXY_WHITELIST", subnet(settings).proxyAddress),
                EnvironmentVariable("GF_SERVER_ROOT_URL", "https://\(host(of: service.name, domain: domain))/"),
            ]
        case "homepage":
            // Homepage refuses an /api call whose Host header is not listed.
            service.environment = service.environment.map { variable in
                guard variable.key == "HOMEPAGE_ALLOWED_HOSTS" else { return variable }
                return EnvironmentVariable(
                    variable.key, variable.value + ",\(host(of: service.name, domain: domain))")
            }
        case .nodeExporter where hasNetwork(settings):
            // Off the LAN: Node Exporter (host network, no login) listens on loopback (its healthcheck, this host)
            // and on the host's address on the front door network, the gateway PROXY_SUBNET fixes, where Prometheus
            // and Blackbox reach it (next case) — not on every interface. The flag is repeatable and each address
            // gets its own listener (prometheus/node_exporter v1.12.1 node_exporter.go kingpinflag.AddFlags, from
            // prometheus/exporter-toolkit v0.17.1 web/kingpinflag/flag.go `web.listen-address` .Strings() and
            // web/tls_config.go ListenAndServe, which fails when one address cannot be bound).
            guard let port = service.metrics?.port else { break }
            service.command = service.command.flatMap { argument in
                guard argument.hasPrefix(nodeExporterListenFlag) else { return [argument] }
                return ["127.0.0.1", subnet(settings).gatewayAddress].map { "\(nodeExporterListenFlag)\($0):\(port)" }
            }
        case .prometheus where hasNetwork(settings), .blackboxExporter where hasNetwork(settings):
            // They reach the host-network services (Node Exporter, Plex) at host.docker.internal: the front door
            // network's gateway instead of Docker's host-gateway (docker0's address, which Docker chooses).
            service.extraHosts = service.extraHosts.map { entry in
                entry == "\(hostGatewayName):host-gateway"
                    ? "\(hostGatewayName):\(subnet(settings).gatewayAddress)" : entry
            }
        case authenticator:
            // Identity-verification mail goes through the alert SMTP account when it is configured; the password
            // reaches Authelia as a file, like Alertmanager's.
            let smtp = [SettingKey.alertSMTPSmarthost, .alertSMTPFrom].allSatisfy { !settings[$0].isEmpty }
            if smtp && !settings[.alertSMTPPassword].isEmpty {
                service.secrets.append(smtpPassword)
                service.environment.append(
                    EnvironmentVariable("AUTHELIA_NOTIFIER_SMTP_PASSWORD_FILE", smtpPassword.path))
            }
        default:
            break
        }
    }
}
