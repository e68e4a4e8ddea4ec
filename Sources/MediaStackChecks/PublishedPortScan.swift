import Foundation
import MediaStack
import MediaStackRendering
import Yams

/// Finds port mappings in Compose files that bind every interface: no host address, `0.0.0.0` or `::`.
/// `LAN_IP=0.0.0.0` is refused by the settings already; this catches hand edits of the files themselves.
public struct PublishedPortScan: Sendable {
    public init() {}

    public func findings(_ files: [RenderedFile]) -> [Finding] {
        var findings: [Finding] = []
        for file in files {
            guard let root = (try? Yams.load(yaml: file.contents)) as? [String: Any],
                let services = root["services"] as? [String: Any]
            else { continue }
            for (name, value) in services.sorted(by: { $0.key < $1.key }) {
                guard let service = value as? [String: Any], let ports = service["ports"] as? [Any] else { continue }
                for port in ports where Self.bindsEveryInterface(port) {
                    findings.append(
                        Finding(
                            .error, .portOnEveryInterface, subject: "\(file.path): \(name)",
                            message: "the port mapping \(Self.describe(port)) listens on every interface of the host",
                            fix: "bind it to the LAN address: \"${LAN_IP:-127.0.0.1}:HOST:CONTAINER\", or run"
                                + " `mediaserver render --force` to restore the rendered file"))
                }
            }
        }
        return findings
    }

    static func describe(_ port: Any) -> String {
        if let text = port as? String { return "'\(text)'" }
        if let map = port as? [String: Any] {
            return "{" + map.keys.sorted().map { "\($0): \(map[$0].map { "\($0)" } ?? "")" }.joined(separator: ", ")
                + "}"
        }
        return "\(port)"
    }

    static let everyInterface: Set<String> = ["", "0.0.0.0", "::", "[::]"]

    /// Whether one `ports:` entry (short string, bare number or long-syntax map) lacks a specific host address.
    static func bindsEveryInterface(_ port: Any) -> Bool {
        if let map = port as? [String: Any] {
            guard map["published"] != nil else { return false }
            return everyInterface.contains((map["host_ip"] as? String) ?? "")
        }
        let text: String
        if let string = port as? String {
            text = string
        } else {
            // A bare number publishes a random host port on every interface.
            return true
        }
        return everyInterface.contains(hostAddress(text))
    }

    /// The host-address part of a short-syntax mapping, `""` when there is none.
    static func hostAddress(_ mapping: String) -> String {
        // `${LAN_IP:-127.0.0.1}` holds colons of its own: replace each `${…}` by a placeholder first.
        var text = mapping
        while let start = text.range(of: "${"), let end = text[start.upperBound...].firstIndex(of: "}") {
            text.replaceSubrange(start.lowerBound...end, with: "VARIABLE")
        }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            return String(text[...close])
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count >= 3 ? String(parts[0]) : ""
    }
}
