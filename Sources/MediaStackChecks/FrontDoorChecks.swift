import Foundation
import MediaStack

/// Checks of the front door's settings, and of apps that trust the proxy to have signed a user in.
public struct FrontDoorChecks: Sendable {
    public init() {}

    public func run(_ stack: Stack) -> [Finding] {
        settings(stack) + externalAuthentication(stack)
    }

    /// DOMAIN must be a host name under which the subdomains can live, and PROXY_TLS one of the two modes.
    func settings(_ stack: Stack) -> [Finding] {
        var findings: [Finding] = []
        let tls = stack.settings[FrontDoor.tlsKey]
        if FrontDoor.TLSMode(rawValue: tls) == nil {
            findings.append(
                Finding(
                    .error, .proxyTLSMode, subject: FrontDoor.tlsKey.rawValue,
                    message: "\(FrontDoor.tlsKey)=\(tls) is neither internal nor acme",
                    fix: "set \(FrontDoor.tlsKey)=internal (a LAN-only name) or \(FrontDoor.tlsKey)=acme (a public"
                        + " domain) in .env"))
        }
        guard let domain = FrontDoor.domain(stack.settings) else {
            return findings
        }
        if !Self.isHostName(domain) {
            findings.append(
                Finding(
                    .error, .proxyDomain, subject: FrontDoor.domainKey.rawValue,
                    message: "DOMAIN=\(domain) is not a host name with at least two labels (Authelia's session"
                        + " cookie needs one, and each app becomes <service>.DOMAIN)",
                    fix: "use a name such as media.example.com or media.home.arpa, without scheme, port or path"))
        }
        if stack.isEnabled(FrontDoor.authenticator) && !stack.isEnabled(FrontDoor.proxy) {
            findings.append(
                Finding(
                    .error, .proxyMissing, subject: FrontDoor.authenticator.rawValue,
                    message: "Authelia is on but Caddy, which asks it, is disabled",
                    fix: "remove caddy from DISABLED_SERVICES, or clear DOMAIN to turn the front door off"))
        }
        return findings
    }

    /// An app told to trust the proxy's login (`<APP>__AUTH__METHOD=External`) must be unreachable except through
    /// the proxy: the front door on, Authelia asking, and the app's own port bound to loopback.
    func externalAuthentication(_ stack: Stack) -> [Finding] {
        let suffix = FrontDoor.authenticationMethodSuffix
        return stack.services.compactMap { service in
            guard
                let variable = service.environment.first(where: { $0.key.hasSuffix(suffix) }),
                Self.resolve(variable.value, stack.settings).caseInsensitiveCompare("External") == .orderedSame
            else { return nil }
            let guarded =
                FrontDoor.isEnabled(stack.settings) && stack.isEnabled(FrontDoor.proxy)
                && stack.isEnabled(FrontDoor.authenticator) && FrontDoor.access[service.name] != nil
                && service.ports.allSatisfy(\.loopbackOnly)
            guard !guarded else { return nil }
            return Finding(
                .error, .externalAuthExposed, subject: service.name.rawValue,
                message: "\(variable.key) is External (no login of its own), but its port is reachable without"
                    + " passing Authelia: anyone on the LAN gets in",
                fix: "set DOMAIN (and keep caddy and authelia enabled) so the app is reachable only through the"
                    + " front door, or set its authentication method back to Forms")
        }
    }

    /// `${KEY}` or `${KEY:-default}` resolved from the settings; a literal stays as it is.
    static func resolve(_ value: String, _ settings: Settings) -> String {
        guard value.hasPrefix("${"), value.hasSuffix("}") else { return value }
        let inner = value.dropFirst(2).dropLast()
        let parts = inner.split(separator: ":-", maxSplits: 1).map(String.init)
        let key = parts.first ?? ""
        if let set = settings[key], !set.isEmpty { return set }
        return parts.count > 1 ? parts[1] : ""
    }

    /// Letters, digits and hyphens in dot-separated labels, at least two labels, no leading or trailing hyphen.
    static func isHostName(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, name.count <= 253 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
