import Foundation
import MediaStack
import MediaStackOperations

/// Measures `mediaserver health`'s concurrent probing against probing one by one, on the same real loopback
/// servers in the same run. Usage: swift run -c release mediaserver-benchmarks [endpoints] [delay-ms]
/// `mediaserver-benchmarks backup …` measures the backup commands instead (BackupBenchmark); `compare-trees …` is
/// the restore drill's comparison alone, which that benchmark runs as a process of its own.
@main
enum Benchmarks {
    static func main() async throws {
        do {
            if CommandLine.arguments.dropFirst().first == "backup" {
                return try await BackupBenchmark.run(Array(CommandLine.arguments.dropFirst(2)))
            }
            if CommandLine.arguments.dropFirst().first == "compare-trees" {
                return try await BackupBenchmark.compareTrees(Array(CommandLine.arguments.dropFirst(2)))
            }
        } catch is BackupBenchmark.ExitCodeError {
            exit(1)  // the cause is printed already
        }
        let arguments = CommandLine.arguments.dropFirst()
        let count = arguments.first.flatMap(Int.init) ?? 30
        let delay = arguments.dropFirst().first.flatMap(Int.init) ?? 200
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/fixtures/http_stand_in.py")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Port 0: the kernel picks each server's port, so the benchmark never meets a test run or another server.
        server.arguments = ["python3", script.path, "0", String(count), String(Double(delay) / 1000)]
        let input = Pipe()
        let output = Pipe()
        server.standardInput = input
        server.standardOutput = output
        try server.run()
        // The server exits when its stdin closes.
        defer { try? input.fileHandleForWriting.close() }
        // "ready PORT..."
        let ready = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        let ports = ready.split(whereSeparator: \.isWhitespace).dropFirst().compactMap { Int($0) }
        guard ports.count == count else {
            print("the HTTP stand-ins did not start: \(ready)")
            exit(1)
        }
        let targets = ports.enumerated().map { index, port in
            ProbeTarget(
                service: ServiceName(stringLiteral: "svc\(index)"),
                method: .http(url: URL(string: "http://127.0.0.1:\(port)/ping")!, expectedStatus: 200))
        }
        let run = HealthCheckRun(prober: HealthProber(), timeout: .seconds(10))
        _ = await run.run(Array(targets.prefix(2)))  // warm-up: URLSession and the servers' first accept
        let clock = ContinuousClock()
        var concurrent: [Double] = []
        var sequential: [Double] = []
        for _ in 0..<3 {
            var start = clock.now
            let outcomes = await run.run(targets)
            concurrent.append(seconds(clock.now - start))
            precondition(
                outcomes.allSatisfy { $0.state == .up }, "a probe failed: \(outcomes.filter { $0.state == .down })")
            start = clock.now
            _ = await run.runSequentially(targets)
            sequential.append(seconds(clock.now - start))
        }
        let bestConcurrent = concurrent.min() ?? 0
        let bestSequential = sequential.min() ?? 0
        print("health benchmark: \(count) loopback endpoints, each answering after \(delay) ms (best of 3)")
        print(
            String(
                format: "  concurrent (mediaserver health): %.3f s  = %.2f × one endpoint's delay", bestConcurrent,
                bestConcurrent / (Double(delay) / 1000)))
        print(String(format: "  one by one (baseline):           %.3f s", bestSequential))
        print(
            String(
                format: "  speed-up: %.1f× (concurrent / sequential = %.3f)", bestSequential / bestConcurrent,
                bestConcurrent / bestSequential))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
