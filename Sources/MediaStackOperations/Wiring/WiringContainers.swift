import Foundation
import MediaStack

/// Stops and starts an app's container, for a wiring that edits a file the app reads only when it starts and
/// rewrites from memory when it stops (Tautulli's config.ini).
public protocol WiringContainers: Sendable {
    /// Stops `app`'s container and returns once it has exited (the app has written its files).
    func stop(_ app: ServiceName) async throws(WiringFailure)
    /// Starts `app`'s stopped container again.
    func start(_ app: ServiceName) async throws(WiringFailure)
}

/// `docker compose stop` and `start` of one service, through the Compose driver `up` and `down` use. The container
/// is kept (`start` starts the same one), so nothing but the app's own files changes.
public struct ComposeWiringContainers: WiringContainers {
    /// The stack each app belongs to.
    public let stacks: [ServiceName: StackID]
    /// The driver, or how to get one (a `wire` run asks for Docker only when a container must be restarted).
    private let driver: @Sendable () async throws -> ComposeDriver

    public init(stack: Stack, driver: ComposeDriver) {
        self.init(stack: stack, makeDriver: { driver })
    }

    public init(stack: Stack, makeDriver: @escaping @Sendable () async throws -> ComposeDriver) {
        self.stacks = Dictionary(stack.services.map { ($0.name, $0.stack) }, uniquingKeysWith: { first, _ in first })
        self.driver = makeDriver
    }

    /// The driver of the checkout's render of `settingsPath`, opened on first use.
    public static func forCheckout(_ checkout: URL, settingsPath: String, stack: Stack) -> ComposeWiringContainers {
        ComposeWiringContainers(stack: stack) {
            let (cli, runner) = try await Deployment.requireDocker()
            return ComposeDriver(
                cli: cli, runner: runner, root: RenderLocation.folder(checkout: checkout, settingsPath: settingsPath),
                envFile: RenderLocation.absoluteSettingsPath(checkout: checkout, settingsPath: settingsPath))
        }
    }

    public func stop(_ app: ServiceName) async throws(WiringFailure) {
        try await run(app, "stop")
    }

    public func start(_ app: ServiceName) async throws(WiringFailure) {
        try await run(app, "start")
    }

    func run(_ app: ServiceName, _ verb: String) async throws(WiringFailure) {
        let call = "docker compose \(verb) \(app)"
        guard let stack = stacks[app] else {
            throw WiringFailure(app: app, call: call, message: "no such service", fix: "run `mediaserver render`")
        }
        let output: ProcessOutput
        do {
            let driver = try await driver()
            output =
                try await verb == "stop"
                ? driver.stop(stack, services: [app]) : driver.start(stack, services: [app])
        } catch let failure as OperationFailure {
            throw WiringFailure(
                app: app, call: call, message: failure.lines.joined(separator: "; "),
                fix: "start Docker, then run `mediaserver wire` again")
        } catch {
            throw WiringFailure(
                app: app, call: call, message: "\(error)", fix: "start Docker, then run `mediaserver wire` again")
        }
        guard output.succeeded else {
            throw WiringFailure(
                app: app, call: call, message: "\(ComposeError.failed(output))",
                fix: "`mediaserver ps` shows the container's state; run `mediaserver up`, then `mediaserver wire`")
        }
    }
}
