import MediaStack
import MediaStackChecks
import MediaStackRendering

extension Doctor {
    /// Names only a LAN (or this machine) can resolve: no public CA issues a certificate for them (RFC 6761,
    /// RFC 8375 home.arpa, and the suffixes home routers hand out).
    static let lanOnlySuffixes = ["home.arpa", "local", "lan", "internal", "test", "localhost", "home", "localdomain"]

    /// Whether `domain` can only exist on a LAN.
    static func isLANOnly(_ domain: String) -> Bool {
        let lower = domain.lowercased()
        return lanOnlySuffixes.contains { lower == $0 || lower.hasSuffix(".\($0)") }
    }

    /// The front door's host names resolve to this server, and the TLS mode fits the name.
    func frontDoor() -> [Finding] {
        guard let domain = FrontDoor.domain(settings) else { return [] }
        var findings: [Finding] = []
        let tls = FrontDoor.tlsMode(settings)
        let lanOnly = Self.isLANOnly(domain)
        if tls == .acme && lanOnly {
            findings.append(
                Finding(
                    .error, .proxyACMELANName, subject: FrontDoor.domainKey.rawValue,
                    message: "\(domain) is a LAN-only name: no public CA issues a certificate for it, so ACME fails",
                    fix: "set \(FrontDoor.tlsKey)=internal (and trust Caddy's root on each device), or use a public"
                        + " domain you own"))
        }
        if tls == .internal && !lanOnly {
            findings.append(
                Finding(
                    .warning, .proxyInternalPublicName, subject: FrontDoor.domainKey.rawValue,
                    message: "\(domain) looks like a public domain but \(FrontDoor.tlsKey)=internal: every browser"
                        + " and app warns unless it trusts Caddy's own root",
                    fix: "set \(FrontDoor.tlsKey)=acme for a trusted certificate (DNS pointing here, 80/443"
                        + " forwarded), or keep internal for a LAN-only setup (docs/remote-access.md)"))
        }
        // Docker refuses to create the front door network over a subnet this host already routes (the LAN, a VPN,
        // another Docker network), or that network's traffic goes astray. The route of the network itself while
        // the stack runs (a Docker bridge, `br-…`, with exactly this subnet) is ours.
        let subnet = FrontDoor.subnet(settings)
        let mask = UInt32.max << UInt32(32 - subnet.prefixLength)
        let clashes = host.ipv4Routes().filter { route in
            route.overlaps(base: subnet.base, mask: mask)
                && !(route.interface.hasPrefix("br-") && route.destination == subnet.base && route.mask == mask)
        }
        if !clashes.isEmpty {
            findings.append(
                Finding(
                    .error, .proxySubnet, subject: FrontDoor.subnetKey.rawValue,
                    message: "\(FrontDoor.subnetKey)=\(subnet) overlaps what this host already routes: "
                        + clashes.map { "\($0.cidr) on \($0.interface)" }.joined(separator: ", "),
                    fix: "set \(FrontDoor.subnetKey) to a private range no route here covers (`ip -4 route` lists"
                        + " them), e.g. 10.213.0.0/24, then `mediaserver down` and `mediaserver up`"))
        }
        let lan = value(.lanIP).isEmpty ? "127.0.0.1" : value(.lanIP)
        var names = [FrontDoor.portalHost(domain: domain)]
        names += CaddyfileRenderer.sites(stack).map(\.host)
        var unresolved: [String] = []
        var elsewhere: [String] = []
        for name in names {
            let addresses = host.addresses(of: name)
            if addresses.isEmpty {
                unresolved.append(name)
            } else if tls == .internal && !addresses.contains(lan) {
                elsewhere.append("\(name) → \(addresses.joined(separator: ", "))")
            }
        }
        if !unresolved.isEmpty {
            findings.append(
                Finding(
                    .error, .proxyDNS, subject: domain,
                    message: "\(unresolved.count) of \(names.count) front-door names do not resolve: "
                        + unresolved.joined(separator: ", "),
                    fix: "add a wildcard DNS record *.\(domain) → \(lan) (router, Pi-hole or your DNS provider), or"
                        + " one record per name"))
        }
        if !elsewhere.isEmpty {
            findings.append(
                Finding(
                    .error, .proxyDNSElsewhere, subject: domain,
                    message: "front-door names resolve, but not to LAN_IP \(lan): " + elsewhere.joined(separator: "; "),
                    fix: "point *.\(domain) at \(lan), the address Caddy publishes 80/443 on"))
        }
        return findings
    }
}
