import MediaStack

/// Builders for promtool unit-test documents.
enum TestSeries {
    static func make(_ metric: String, _ labels: [(String, String)], _ values: String) -> YAMLValue {
        let selector = labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
        return .map([("series", .string("\(metric){\(selector)}")), ("values", .string(values))])
    }

    static func test(_ name: String, _ series: [YAMLValue], _ checks: [YAMLValue]) -> YAMLValue {
        .map([
            ("name", .string(name)), ("interval", .string("1m")), ("input_series", .list(series)),
            ("alert_rule_test", .list(checks)),
        ])
    }

    static func check(_ time: String, _ alert: String, _ expected: [YAMLValue]) -> YAMLValue {
        .map([("eval_time", .string(time)), ("alertname", .string(alert)), ("exp_alerts", .list(expected))])
    }

    static func alert(_ labels: [(String, String)], summary: String, description: String) -> YAMLValue {
        .map([
            ("exp_labels", .map(labels.map { ($0.0, .string($0.1)) })),
            ("exp_annotations", .map([("summary", .string(summary)), ("description", .string(description))])),
        ])
    }
}
