extension FrontDoor {
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
            // grafana/grafana pkg/setting/setting.go readAuthSettings reads [auth.proxy] enabled, header_name,
            // header_property, auto_sign_up, whitelist and headers (defaults in conf/defaults.ini: header_name
            // X-WEBAUTH-USER, header_property username, auto_sign_up true, whitelist empty = any address);
            // pkg/services/authn/clients/proxy.go parses the whitelist as comma-separated IPs or CIDRs (no host
            // names) and matches it against the connection's own address, refusing others with 401
            // auth-proxy.invalid-ip. GF_<SECTION>_<KEY> overrides: docs setup-grafana/configure-grafana.
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
