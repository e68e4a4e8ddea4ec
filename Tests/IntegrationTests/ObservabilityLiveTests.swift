import Foundation
import MediaStack
import MediaStackOperations
import MediaStackRendering
import TestKit
import Testing

/// The rendered configuration run for real: Debian's Prometheus, Node Exporter, Blackbox Exporter and
/// Alertmanager on loopback, with HTTP stand-ins for the apps. Every catalog host name resolves to its own loopback
/// address (127.88.N.x) through a private /etc/hosts in a private mount namespace (scripts/with-hosts-file), so
/// Prometheus reads the rendered prometheus.yml with its host names. Each server listens on a port the kernel picks
/// free, never the catalog's (a second test run, or a real Node Exporter on *:9100, would hold it): the test copy of
/// prometheus.yml differs from the render only in those port numbers. Where a mount namespace is not permitted, the
/// copy also has the names rewritten to the addresses. Every server dies with the test run, even a killed one
/// (scripts/fixtures/die-with-parent).
@Suite("Live: real Prometheus, Node Exporter and Blackbox on the rendered files", .serialized)
struct ObservabilityLiveTests {
    static let realDaemons: [ServiceName: String] = [
        "prometheus": "prometheus", "node_exporter": "prometheus-node-exporter",
        "blackbox_exporter": "prometheus-blackbox-exporter", "alertmanager": "prometheus-alertmanager",
    ]

    /// `curl` a Prometheus API path and return its `data`.
    static func api(_ base: String, _ path: String, query: String? = nil) async throws -> Any? {
        var arguments = ["-sf", "--max-time", String(TestTime.wholeSeconds(TestTime.request)), "-G", "\(base)\(path)"]
        if let query { arguments += ["--data-urlencode", "query=\(query)"] }
        // curl bounds the request itself (--max-time, TestTime.request); the process guard only stops a curl that
        // hangs. A slow answer is polled again; only the poll's own deadline fails the test.
        let output = try await IntegrationSupport.run("curl", arguments, timeout: TestTime.process)
        guard output.succeeded else { return nil }
        let document = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        return document?["data"]
    }

    static func vector(_ base: String, _ query: String) async throws -> [(labels: [String: String], value: String)] {
        let data = try await api(base, "/api/v1/query", query: query) as? [String: Any]
        let result = data?["result"] as? [[String: Any]] ?? []
        return result.map { item in
            let labels = item["metric"] as? [String: String] ?? [:]
            let value = (item["value"] as? [Any])?.last as? String ?? ""
            return (labels, value)
        }
    }

    /// Polls `check` every 2 s until it holds or `seconds` (on an idle machine, scaled by `TestTime`) pass; returns the
    /// last state for the failure message.
    static func poll(
        _ seconds: Int, _ check: () async throws -> (Bool, String)
    ) async throws -> (ok: Bool, state: String) {
        let deadline = ContinuousClock.now + TestTime.duration(.seconds(seconds))
        var state = "not polled"
        while ContinuousClock.now < deadline {
            let (ok, detail) = try await check()
            state = detail
            if ok { return (true, state) }
            try await Task.sleep(for: .seconds(2))
        }
        return (false, state)
    }

    @Test func everyTargetIsUpEveryProbeSucceedsAndAStoppedAppFailsItsProbe() async throws {
        var tools: [String: String] = [:]
        for tool in Array(Self.realDaemons.values) + ["python3", "curl", "unshare"] {
            guard let path = IntegrationSupport.tool(tool) else { return }
            tools[tool] = path
        }
        let stack = Stack(settings: try ObservabilitySupport.settings())
        let (folder, files) = try ObservabilitySupport.write(stack)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The render of .env.example sends alerts nowhere, so the live Alertmanager can never reach the network.
        #expect(TestSupportFiles.file(files, AlertmanagerRenderer.path).contains("- name: blackhole"))

        // One loopback address per service; the third octet varies by process so parallel runs do not meet.
        let scrape = PrometheusRenderer.scrapeTargets(stack)
        let probes = PrometheusRenderer.probes(stack)
        var names: [ServiceName] = []
        for name in scrape.map(\.service) + probes.map(\.service) where !names.contains(name) { names.append(name) }
        let octet = 20 + Int(getpid()) % 200
        var address: [ServiceName: String] = [:]
        // Host-network services (Plex, Node Exporter) share the host's one address, as host.docker.internal does.
        let hostNetwork = Set(stack.services.filter(\.usesHostNetwork).map(\.name))
        let hostAddress = "127.88.\(octet).9"
        for (index, name) in names.enumerated() {
            address[name] = hostNetwork.contains(name) ? hostAddress : "127.88.\(octet).\(10 + index)"
        }
        var hosts: [String: String] = [:]
        for service in stack.services where address[service.name] != nil {
            hosts[PrometheusRenderer.host(of: service)] = address[service.name]
        }
        for (name, ip) in address { hosts[name.rawValue] = ip }

        let hostsFile = folder.appendingPathComponent("hosts")
        let hostLines = hosts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        try (["127.0.0.1 localhost"] + hostLines).joined(separator: "\n").appending("\n").write(
            to: hostsFile, atomically: true, encoding: .utf8)
        let wrapper = IntegrationSupport.repositoryRoot.appendingPathComponent("scripts/with-hosts-file").path
        // MEDIASERVER_LIVE_MAPPING=rewrite forces the fallback, to test it where namespaces work.
        let forceRewrite = ProcessInfo.processInfo.environment["MEDIASERVER_LIVE_MAPPING"] == "rewrite"
        let namespaces = forceRewrite ? false : try await IntegrationSupport.run(wrapper, ["--probe"]).succeeded
        let textfiles = folder.appendingPathComponent("textfile")
        try FileManager.default.createDirectory(at: textfiles, withIntermediateDirectories: true)
        // The backup metrics, written by the rendered post-backup.sh after a successful run that started 42 s ago.
        // No repository is here, so it keeps the size an earlier run recorded.
        let dumps = folder.appendingPathComponent("dumps")
        try FileManager.default.createDirectory(at: dumps, withIntermediateDirectories: true)
        try "\(Int(Date().timeIntervalSince1970) - 42)\n".write(
            to: dumps.appendingPathComponent(BackupPaths.runStarted), atomically: true, encoding: .utf8)
        try "mediaserver_backup_repository_size_bytes 123456789\n".write(
            to: textfiles.appendingPathComponent("mediaserver_backup.prom"), atomically: true, encoding: .utf8)
        let postBackup = try await IntegrationSupport.run(
            "sh",
            [
                folder.appendingPathComponent("backup/post-backup.sh").path, "finish",
                folder.appendingPathComponent("no-repository").path, dumps.path, textfiles.path,
                BackupPaths.runStarted,
            ])
        #expect(postBackup.succeeded, "\(postBackup.standardError)")

        let logs = folder.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        // The real daemons, each a `FixtureServer` that reports no ready line: its log is its output, and the polls
        // below tell when it serves.
        var daemons: [FixtureServer] = []
        var standIns: [ServiceName: [StandInServer]] = [:]
        defer {
            for daemon in daemons { daemon.stop() }
            for server in standIns.values.flatMap({ $0 }) { server.stop() }
        }
        func start(_ name: ServiceName, _ arguments: [String], resolves: Bool) throws {
            let program = try #require(Self.realDaemons[name])
            let tool = try #require(tools[program])
            let log = logs.appendingPathComponent("\(name).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let (executable, words): (String, [String]) =
                resolves && namespaces ? (wrapper, [hostsFile.path, tool]) : (tool, [])
            daemons.append(
                try FixtureServer(
                    name.rawValue, executable, words + arguments, readyPorts: 0, stopsOnEOF: false,
                    log: try FileHandle(forWritingTo: log)))
        }
        // Every host:port the rendered prometheus.yml names, and the free port that stands in for it.
        var freePort: [String: Int] = [:]
        var servicePorts: [ServiceName: [(host: String, port: Int)]] = [:]
        for (service, host, port) in scrape.map({ ($0.service, $0.host, $0.port.value) })
            + probes.map({ ($0.service, $0.host, $0.port.value) })
        where !(servicePorts[service] ?? []).contains(where: { $0.host == host && $0.port == port }) {
            servicePorts[service, default: []].append((host, port))
        }
        for name in names where Self.realDaemons[name] == nil {
            // The apps: stand-ins, one listener per port the config names, each on a port the kernel picks.
            let ip = try #require(address[name])
            let wanted = servicePorts[name] ?? []
            let server = try StandInServer(count: wanted.count, address: ip)
            standIns[name] = [server]
            for (index, target) in wanted.enumerated() {
                freePort["\(target.host):\(target.port)"] = server.ports[index]
            }
        }
        for name in names where Self.realDaemons[name] != nil {
            // The real daemons read their address from an argument: a port free on their own address now.
            let ip = try #require(address[name])
            for target in servicePorts[name] ?? [] {
                freePort["\(target.host):\(target.port)"] = try ReservedPort.free(on: ip)
            }
        }
        // The test copy of prometheus.yml: each host:port moved to its free port; where no private /etc/hosts is
        // possible, each host name also replaced by its address (then only instance labels differ further).
        var text = try String(contentsOf: folder.appendingPathComponent("prometheus/prometheus.yml"), encoding: .utf8)
        for (target, port) in freePort {
            let host = String(target[..<(target.lastIndex(of: ":") ?? target.endIndex)])
            let escaped = NSRegularExpression.escapedPattern(for: target)
            let ip = try #require(hosts[host])
            let replacement = "\(namespaces ? host : ip):\(port)"
            text = text.replacingOccurrences(
                of: "(?<=[/\\s'])\(escaped)(?![0-9])", with: replacement, options: .regularExpression)
        }
        let prometheusConfig = folder.appendingPathComponent("prometheus/prometheus-test.yml")
        try text.write(to: prometheusConfig, atomically: true, encoding: .utf8)

        func listen(_ name: ServiceName) throws -> String {
            let ip = try #require(address[name])
            let target = try #require(servicePorts[name]?.first)
            return "--web.listen-address=\(ip):\(try #require(freePort["\(target.host):\(target.port)"]))"
        }
        for name in names where Self.realDaemons[name] != nil {
            switch name {
            case "node_exporter":
                try start(
                    name,
                    [try listen(name), "--collector.textfile.directory=\(textfiles.path)"],
                    resolves: false)
            case "blackbox_exporter":
                let config = folder.appendingPathComponent(BlackboxRenderer.path).path
                try start(
                    name, ["--config.file=\(config)", try listen(name)], resolves: true)
            case "alertmanager":
                let config = folder.appendingPathComponent(AlertmanagerRenderer.path).path
                try start(
                    name,
                    [
                        "--config.file=\(config)", "--storage.path=\(folder.appendingPathComponent("am").path)",
                        try listen(name), "--cluster.listen-address=",
                    ], resolves: false)
            case "prometheus":
                try start(
                    name,
                    [
                        "--config.file=\(prometheusConfig.path)",
                        "--storage.tsdb.path=\(folder.appendingPathComponent("tsdb").path)",
                        try listen(name),
                    ], resolves: true)
            default:
                Issue.record("\(name) has a real daemon but no way to start it")
            }
        }
        let prometheus = try #require(stack.service("prometheus")?.metrics?.port.value)
        let prometheusIP = try #require(address["prometheus"])
        let base = "http://\(prometheusIP):\(try #require(freePort["prometheus:\(prometheus)"]))"

        let expectedTargets = scrape.count + probes.count
        let targets = try await Self.poll(120) {
            let data = try await Self.api(base, "/api/v1/targets", query: nil) as? [String: Any]
            let active = data?["activeTargets"] as? [[String: Any]] ?? []
            let down = active.filter { $0["health"] as? String != "up" }.map { target in
                let labels = target["labels"] as? [String: String] ?? [:]
                return "\(labels["job"] ?? "?")/\(labels["service"] ?? "?"): \(target["lastError"] ?? "")"
            }
            return (active.count == expectedTargets && down.isEmpty, "\(active.count) active, not up: \(down)")
        }
        #expect(targets.ok, "every scrape target and probe is up: \(targets.state)")

        let probeJob = PrometheusRenderer.probeJob
        let succeeding = try await Self.poll(60) {
            let results = try await Self.vector(base, "probe_success{job=\"\(probeJob)\"}")
            let failing = results.filter { $0.value != "1" }.map { $0.labels["service"] ?? "?" }
            return (results.count == probes.count && failing.isEmpty, "\(results.count) probes, failing: \(failing)")
        }
        #expect(succeeding.ok, "every probe succeeds: \(succeeding.state)")

        let ruleCount = AlertRulesRenderer.groups(stack).reduce(0) { $0 + $1.rules.count }
        let rules = try await Self.poll(60) {
            let data = try await Self.api(base, "/api/v1/rules") as? [String: Any]
            let loaded = (data?["groups"] as? [[String: Any]] ?? []).flatMap { $0["rules"] as? [[String: Any]] ?? [] }
            let unhealthy = loaded.filter { $0["health"] as? String != "ok" }.map { "\($0["name"] ?? "?")" }
            return (loaded.count == ruleCount && unhealthy.isEmpty, "\(loaded.count) rules, not ok: \(unhealthy)")
        }
        #expect(rules.ok, "\(ruleCount) rules loaded and evaluated: \(rules.state)")

        let age = try await Self.vector(base, "time() - \(AlertRulesRenderer.backupSuccessMetric)")
        #expect(age.count == 1 && (Double(age.first?.value ?? "") ?? -1) >= 0, "backup age through the textfile")
        let metricNames = Set(try await Self.api(base, "/api/v1/label/__name__/values") as? [String] ?? [])
        let missing = ExportedMetric.all.filter { $0.verified == .live && $0.name != "ALERTS" }.map(\.name).filter {
            !metricNames.contains($0)
        }
        #expect(missing.isEmpty, "live metric names the real exporters did not export: \(missing)")

        // Stop one app: its probe, and only its probe, turns to 0; Blackbox itself stays up.
        let victim: ServiceName = "sonarr"
        for server in try #require(standIns[victim]) { server.stop() }
        let failed = try await Self.poll(90) {
            let results = try await Self.vector(base, "probe_success{job=\"\(probeJob)\"}")
            let values = Dictionary(results.map { ($0.labels["service"] ?? "?", $0.value) }) { first, _ in first }
            let othersUp = values.filter { $0.key != victim.rawValue }.allSatisfy { $0.value == "1" }
            return (values[victim.rawValue] == "0" && othersUp, "\(victim)=\(values[victim.rawValue] ?? "none")")
        }
        #expect(failed.ok, "probe_success{service=\"\(victim)\"} turned 0: \(failed.state)")
        let blackboxUp = try await Self.vector(base, "up{job=\"\(probeJob)\",service=\"\(victim)\"}")
        #expect(blackboxUp.map(\.value) == ["1"], "a dead app is a failed probe, not a failed scrape")
        let pending = try await Self.poll(70) {
            let alerts = try await Self.vector(base, "ALERTS{alertname=\"ProbeFailed\",service=\"\(victim)\"}")
            return (!alerts.isEmpty, "\(alerts.map(\.labels))")
        }
        #expect(pending.ok, "ProbeFailed is pending for \(victim): \(pending.state)")
    }
}
