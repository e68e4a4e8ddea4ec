import Foundation

/// A service's health probe as the catalog declares it: an HTTP probe names only its path, because it always asks
/// the service's one `port`; `Service` turns it into the `HealthProbe` every consumer reads.
public struct HealthCheck: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        case http(path: String, client: HealthProbe.HTTPClient)
        case command([String])
    }

    let kind: Kind
    let startPeriod: Int

    /// An HTTP GET on the service's port, healthy when answered with 200.
    public static func http(_ path: String, via client: HealthProbe.HTTPClient, startPeriod: Int = 60) -> HealthCheck {
        HealthCheck(kind: .http(path: path, client: client), startPeriod: startPeriod)
    }

    /// A command run inside the container, healthy when it exits 0.
    public static func command(_ arguments: String..., startPeriod: Int = 60) -> HealthCheck {
        HealthCheck(kind: .command(arguments), startPeriod: startPeriod)
    }

    /// The probe on `port`; nil for an HTTP probe of a service that declares no port.
    func probe(on port: Port?) -> HealthProbe? {
        switch kind {
        case .http(let path, let client):
            guard let port else { return nil }
            return HealthProbe(
                .http(path: path, port: port, expectedStatus: 200, client: client), startPeriod: startPeriod)
        case .command(let arguments):
            return HealthProbe(.command(arguments), startPeriod: startPeriod)
        }
    }
}
