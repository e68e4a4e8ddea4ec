import Foundation
import MediaStack

/// Drives the two stacks through the Compose CLI: up in order, wait for health, down in reverse, ps.
public struct ComposeDriver: Sendable {
    public let cli: ComposeCLI
    public let runner: any ProcessRunning
    public let root: URL
    public let envFile: String

    public init(cli: ComposeCLI, runner: any ProcessRunning, root: URL, envFile: String) {
        self.cli = cli
        self.runner = runner
        self.root = root
        self.envFile = envFile
    }

    func compose(_ stack: StackID, _ arguments: [String], timeout: Int = 600) async throws -> ProcessOutput {
        try await cli.run(
            ComposeCLI.fileArguments([stack], envFile: envFile) + arguments, in: root, runner: runner, timeout: timeout)
    }

    /// `up -d` for one stack; Compose leaves unchanged containers alone, so a second call changes nothing.
    public func up(_ stack: StackID) async throws -> ProcessOutput {
        try await compose(stack, ["up", "-d", "--remove-orphans"])
    }

    /// `stop` of some services: their containers exit (each app saves its state) and are kept.
    public func stop(_ stack: StackID, services: [ServiceName]) async throws -> ProcessOutput {
        try await compose(stack, ["stop"] + services.map(\.rawValue), timeout: 180)
    }

    /// `start` of stopped services: the same containers run again, with the files they read at start.
    public func start(_ stack: StackID, services: [ServiceName]) async throws -> ProcessOutput {
        try await compose(stack, ["start"] + services.map(\.rawValue), timeout: 180)
    }

    /// `restart` of some services of one stack: a setting an app reads only at start takes effect.
    public func restart(_ stack: StackID, services: [ServiceName]) async throws -> ProcessOutput {
        try await compose(stack, ["restart"] + services.map(\.rawValue))
    }

    public func down(_ stack: StackID) async throws -> ProcessOutput {
        try await compose(stack, ["down", "--remove-orphans"], timeout: 900)
    }

    /// Every container of the stack, running or not.
    public func ps(_ stack: StackID) async throws -> [ContainerStatus] {
        let output = try await compose(stack, ["ps", "--all", "--format", "json"], timeout: 60)
        guard output.succeeded else { throw ComposeError.failed(output) }
        return Self.parsePS(output.standardOutput, stack: stack)
    }

    /// Accepts both shapes Compose versions print: a JSON array, or one JSON object per line.
    static func parsePS(_ text: String, stack: StackID) -> [ContainerStatus] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var objects: [[String: Any]] = []
        if trimmed.hasPrefix("[") {
            objects = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [[String: Any]] ?? []
        } else {
            for line in trimmed.split(separator: "\n") {
                if let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] {
                    objects.append(object)
                }
            }
        }
        return objects.map { object in
            ContainerStatus(
                stack: stack.composeFile, service: object["Service"] as? String ?? "",
                container: object["Name"] as? String ?? "", state: (object["State"] as? String ?? "").lowercased(),
                health: (object["Health"] as? String ?? "").lowercased())
        }.sorted { $0.service < $1.service }
    }

    /// Polls until every long-running service of `stack` is ready, reporting progress; throws naming the services
    /// still not ready when `timeout` passes, or at once when one is unhealthy or has exited.
    public func waitUntilReady(
        _ stack: StackID, services: [Service], timeout: Duration, progress: @Sendable (String) -> Void
    ) async throws {
        let expected = Set(services.filter(\.isLongRunning).map(\.name.rawValue))
        let clock = ContinuousClock()
        let start = clock.now
        var lastWaiting: [String] = []
        var lastReport = start
        while true {
            let statuses = try await ps(stack).filter { expected.contains($0.service) }
            let byService = Dictionary(statuses.map { ($0.service, $0) }, uniquingKeysWith: { first, _ in first })
            if let failed = statuses.first(where: {
                $0.health == "unhealthy" || $0.state == "exited" || $0.state == "dead"
            }) {
                throw ComposeError.notReady(stack: stack, services: [failed])
            }
            let waiting = expected.sorted().filter { byService[$0]?.isReady != true }
            let elapsed = Int((clock.now - start).components.seconds)
            if waiting.isEmpty {
                progress("\(stack.composeFile): all \(expected.count) services ready after \(elapsed) s")
                return
            }
            let shown = waiting.prefix(6).map { name -> String in
                guard let status = byService[name] else { return "\(name): not created" }
                return "\(name): \(status.health.isEmpty ? status.state : status.health)"
            }
            let line =
                "\(stack.composeFile): waiting for \(waiting.count) of \(expected.count) ("
                + shown.joined(separator: ", ") + (waiting.count > 6 ? ", …" : "") + ") \(elapsed) s"
            // Report when the set of services still starting changes, and every 10 s otherwise.
            if waiting != lastWaiting || clock.now - lastReport >= .seconds(10) {
                progress(line)
                lastWaiting = waiting
                lastReport = clock.now
            }
            if clock.now - start > timeout {
                throw ComposeError.notReady(
                    stack: stack,
                    services: waiting.map {
                        byService[$0]
                            ?? ContainerStatus(
                                stack: stack.composeFile, service: $0, container: $0, state: "missing", health: "")
                    })
            }
            try await Task.sleep(for: .seconds(2))
        }
    }

    /// The last lines a container logged, for failure reports.
    public func lastLogLines(_ container: String, count: Int = 20) async -> String {
        guard let output = try? await runner.run("docker", ["logs", "--tail", String(count), container], timeout: 30)
        else { return "" }
        return (output.standardOutput + output.standardError).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
