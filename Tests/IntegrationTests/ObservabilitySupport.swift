import Foundation
import MediaStack
import MediaStackRendering
import Testing
import Yams

/// Rendered observability files in a scratch folder, and the PromQL expressions they hold.
enum ObservabilitySupport {
    /// `.env.example` with `overrides`, parsed.
    static func settings(_ overrides: [String: String] = [:]) throws -> Settings {
        try Settings.parse(IntegrationSupport.exampleSettings(overriding: overrides), path: ".env")
    }

    /// Renders `stack` into a fresh scratch folder and returns it.
    static func write(_ stack: Stack) throws -> (folder: URL, files: [RenderedFile]) {
        let folder = try IntegrationSupport.scratchCheckout()
        let files = try StackRenderer().render(stack)
        for file in files {
            let url = folder.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.contents.write(to: url, atomically: true, encoding: .utf8)
        }
        return (folder, files)
    }

    /// One PromQL expression and where it is.
    struct Expression {
        let location: String
        let expr: String
    }

    /// Every `expr` of the rendered rule files and dashboard JSON, read back from the files themselves.
    static func expressions(_ files: [RenderedFile]) throws -> [Expression] {
        var found: [Expression] = []
        for file in files where file.path.hasPrefix("prometheus/rules/") && !file.path.contains("/tests/") {
            let document = try #require(try Yams.load(yaml: file.contents) as? [String: Any])
            for group in document["groups"] as? [[String: Any]] ?? [] {
                for rule in group["rules"] as? [[String: Any]] ?? [] {
                    let name = rule["alert"] as? String ?? rule["record"] as? String ?? "?"
                    found.append(
                        Expression(location: "\(file.path) \(name)", expr: try #require(rule["expr"] as? String)))
                }
            }
        }
        for file in files where file.path.hasPrefix("grafana/dashboards/") {
            let object = try JSONSerialization.jsonObject(with: Data(file.contents.utf8))
            let dashboard = try #require(object as? [String: Any])
            for panel in dashboard["panels"] as? [[String: Any]] ?? [] {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    guard let expr = target["expr"] as? String else { continue }
                    let title = panel["title"] as? String ?? "?"
                    let ref = target["refId"] as? String ?? "?"
                    found.append(Expression(location: "\(file.path) panel '\(title)' \(ref)", expr: expr))
                }
            }
        }
        return found
    }

    /// Grafana replaces these before it sends a query; promtool needs real durations.
    static func substituteGrafanaVariables(_ expr: String) -> String {
        expr.replacingOccurrences(of: "$__rate_interval", with: "1m").replacingOccurrences(
            of: "$__interval", with: "30s"
        ).replacingOccurrences(of: "$__range", with: "1h")
    }

    static let keywords: Set<String> = [
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
        "atan2", "inf", "nan",
    ]

    /// The metric names an expression selects: strings, label matchers, ranges and label lists are removed, then
    /// every identifier that is not a function, keyword or duration is a metric name.
    static func metricNames(_ expr: String) -> Set<String> {
        var text = expr
        for pattern in [
            #""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`"#, #"\{[^}]*\}"#, #"\[[^\]]*\]"#,
            #"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#, #"\boffset\s+-?[0-9a-z]+"#,
        ] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        var names: Set<String> = []
        let characters = Array(text)
        var index = 0
        func isStart(_ c: Character) -> Bool { c.isLetter || c == "_" || c == ":" }
        func isPart(_ c: Character) -> Bool { isStart(c) || c.isNumber }
        while index < characters.count {
            let c = characters[index]
            if isStart(c) && (index == 0 || !(characters[index - 1].isNumber || characters[index - 1] == ".")) {
                var end = index
                while end < characters.count && isPart(characters[end]) { end += 1 }
                let token = String(characters[index..<end])
                var next = end
                while next < characters.count && characters[next] == " " { next += 1 }
                let isCall = next < characters.count && characters[next] == "("
                if !isCall && !keywords.contains(token.lowercased()) { names.insert(token) }
                index = end
            } else if c.isNumber || c == "." {
                // A number or duration literal such as 1e9 or 24h: skip it whole.
                while index < characters.count && (isPart(characters[index]) || characters[index] == ".") {
                    index += 1
                }
            } else {
                index += 1
            }
        }
        return names
    }

    /// A test-only copy of alertmanager.yml that Debian's Alertmanager 0.25 loads: its only change replaces
    /// `webhook_url_file` (Alertmanager 0.28+) with an inline loopback placeholder that can never be reached.
    static func alertmanager025Copy(_ text: String) -> String {
        text.replacingOccurrences(
            of: #"webhook_url_file: \S+"#, with: "webhook_url: 'http://127.0.0.1:9/discord-placeholder'",
            options: .regularExpression)
    }
}
