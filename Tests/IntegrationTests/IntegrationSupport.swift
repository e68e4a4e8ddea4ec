import Foundation
import MediaStackOperations
import TestKit
import Testing

enum IntegrationSupport {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Set by the test script (and so under CI): a missing tool fails the test instead of skipping it.
    static var toolsRequired: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["MEDIASERVER_REQUIRE_TOOLS"] == "1" || environment["CI"] == "true"
    }

    /// A clean environment: the caller's shell variables would override `--env-file` values in Compose.
    static var cleanEnvironment: [String: String] {
        ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/tmp"]
    }

    /// The standalone Compose v2 CLI; records a failure when it is missing and tools are required.
    static func compose() -> ComposeCLI? {
        if SubprocessRunner.locate("docker-compose") != nil { return ComposeCLI(prefix: ["docker-compose"]) }
        if toolsRequired {
            Issue.record("docker-compose is not on PATH: run the tests through scripts/test, which installs it")
        }
        return nil
    }

    /// The path of an installed tool; records a failure when it is missing and tools are required.
    static func tool(_ name: String) -> String? {
        if let path = SubprocessRunner.locate(name) { return path }
        if toolsRequired {
            Issue.record("\(name) is not on PATH: run the tests through scripts/test, which installs it")
        }
        return nil
    }

    /// Runs an installed tool in a clean environment.
    static func run(
        _ tool: String, _ arguments: [String], in directory: URL? = nil, timeout: Int = TestTime.process
    ) async throws -> ProcessOutput {
        try await SubprocessRunner().run(
            tool, arguments, environment: cleanEnvironment, workingDirectory: directory?.path, timeout: timeout)
    }

    /// Makes `process` (configured, not yet started) run through scripts/fixtures/die-with-parent, so the server it
    /// starts dies with the test run even when the run is killed and cannot stop it: a server left behind would hold
    /// its port against the next run. Signals to the process's pid reach the server; its exit status is the server's.
    static func diesWithTestRun(_ process: Process) {
        let executable = process.executableURL?.path ?? "/usr/bin/env"
        process.executableURL = repositoryRoot.appendingPathComponent("scripts/fixtures/die-with-parent")
        process.arguments = [executable] + (process.arguments ?? [])
    }

    /// The first line a server writes to `pipe` ("ready PORT"), read up to its newline or the end: one read may
    /// return only part of it.
    static func firstLine(of pipe: Pipe) -> String {
        var data = Data()
        while !data.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        return String(decoding: data, as: UTF8.self)
    }

    static let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures")

    /// The built `mediaserver` executable.
    static func executable() throws -> String {
        let candidates = [".build/debug/mediaserver", ".build/release/mediaserver"].map {
            repositoryRoot.appendingPathComponent($0).path
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("mediaserver is not built: run `swift build` first (scripts/test does)")
            throw CancellationError()
        }
        return found
    }

    /// Runs `mediaserver` with `arguments` in a clean environment.
    static func mediaserver(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessOutput {
        try await SubprocessRunner().run(
            try executable(), arguments, environment: cleanEnvironment.merging(environment) { $1 },
            workingDirectory: nil, timeout: TestTime.longProcess)
    }

    /// A temporary checkout holding `.env` (when given) and nothing else, removed with the test run (`Scratch`).
    static func scratchCheckout(env: String? = nil) throws -> URL {
        let url = try Scratch.folder("mediaserver-it")
        if let env { try env.write(to: url.appendingPathComponent(".env"), atomically: true, encoding: .utf8) }
        return url
    }

    /// A copy of the committed stack files (not the sources) in a temporary folder.
    static func copyOfCommittedFiles() throws -> URL {
        let url = try scratchCheckout()
        for path in [
            "compose.yml", "homepage-stack.yml", ".env.example", ".mediaserver-render.json", "recyclarr",
            "security", ".compose-lint.yml",
        ] {
            try FileManager.default.copyItem(
                at: repositoryRoot.appendingPathComponent(path), to: url.appendingPathComponent(path))
        }
        return url
    }

    /// `.env.example` with `overrides` replacing its values.
    static func exampleSettings(overriding overrides: [String: String]) throws -> String {
        let example = try String(contentsOf: repositoryRoot.appendingPathComponent(".env.example"), encoding: .utf8)
        var seen = Set<String>()
        var lines = example.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#") else { return String(line) }
            let key = String(line[..<equals])
            guard let value = overrides[key] else { return String(line) }
            seen.insert(key)
            return "\(key)=\(value)"
        }
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) where !seen.contains(key) {
            lines.append("\(key)=\(value)")
        }
        return lines.joined(separator: "\n")
    }
}
