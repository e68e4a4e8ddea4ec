import Foundation
import MediaStack

/// What every app's wiring shares during one run: the transport, each app's address, the secrets, and the record
/// of objects the wiring owns.
public final class WiringContext: @unchecked Sendable {
    public let transport: any WiringTransport
    /// Seconds each call may take.
    public let timeout: Duration
    public let secrets: EnvSecretStore
    /// Stops and starts containers, for a wiring that must (nil where only planning happens).
    public let containers: (any WiringContainers)?
    private let lock = NSLock()
    private var ownershipValue: WiringOwnership

    public init(
        transport: any WiringTransport, timeout: Duration, secrets: EnvSecretStore, ownership: WiringOwnership,
        containers: (any WiringContainers)? = nil
    ) {
        self.transport = transport
        self.timeout = timeout
        self.secrets = secrets
        self.containers = containers
        self.ownershipValue = ownership
    }

    /// The objects the wiring owns, including those created in this run.
    public var ownership: WiringOwnership {
        lock.lock()
        defer { lock.unlock() }
        return ownershipValue
    }

    func record(app: ServiceName, path: String, key: String, id: Int) {
        lock.lock()
        defer { lock.unlock() }
        ownershipValue.record(app: app, path: path, key: key, id: id)
    }

    func record(app: ServiceName, path: String, key: String, fingerprint: String?) {
        lock.lock()
        defer { lock.unlock() }
        ownershipValue.record(app: app, path: path, key: key, fingerprint: fingerprint)
    }

    /// Stores `value` as `setting` in `.env`; a file that cannot be written becomes the app's one-line failure.
    func store(_ setting: String, _ value: String, for app: ServiceName) throws(WiringFailure) {
        do {
            try secrets.set(setting, value)
        } catch {
            throw WiringFailure(
                app: app, call: ".env", message: "cannot store \(setting): \(error.localizedDescription)",
                fix: "make \(secrets.url.path) writable by this user, then run `mediaserver wire` again")
        }
    }

    /// Sends `request` to `app` at `base`; a transport failure becomes the app's one-line failure. Secrets in the
    /// app's answer are redacted before anything is reported.
    func call(
        _ app: ServiceName, at base: URL, _ request: WiringRequest, expecting: Set<Int>? = nil,
        keySetting: String? = nil, secrets: [String] = []
    ) async throws(WiringFailure) -> WiringResponse {
        let response: WiringResponse
        do {
            response = try await transport.send(request, to: base, timeout: timeout)
        } catch {
            throw WiringFailure.unreachable(app: app, request: request, error: error)
        }
        let accepted = expecting.map { $0.contains(response.status) } ?? response.succeeded
        guard accepted else {
            throw WiringFailure.refused(
                app: app, request: request, response: response, keySetting: keySetting, secrets: secrets)
        }
        return response
    }
}
