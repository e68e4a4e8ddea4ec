import Foundation
import MediaStack

/// An app that is down or refused a call: the app, the call, the app's own message and a fix, in one line.
public struct WiringFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public let app: ServiceName
    /// `POST /api/v3/downloadclient`, or `.env` when a setting is missing before any call.
    public let call: String
    /// The HTTP status, when the app answered.
    public let status: Int?
    /// What the app said (its validation messages, its error text), or why there was no answer.
    public let message: String
    public let fix: String

    public init(app: ServiceName, call: String, status: Int? = nil, message: String, fix: String) {
        self.app = app
        self.call = call
        self.status = status
        self.message = message
        self.fix = fix
    }

    /// `<app>: <call> failed: [HTTP <status>: ]<message>; fix: <fix>`, the same for every step, on one line
    /// whatever the parts hold (a process's stderr, an app's multi-line error): their lines are joined with "; ".
    public var description: String {
        let answer = status.map { "HTTP \($0): " } ?? ""
        return "\(app): \(Self.oneLine(call)) failed: \(answer)\(Self.oneLine(message)); fix: \(Self.oneLine(fix))"
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: "; ")
    }

    /// A failure for a response the app refused, with the app's own words.
    static func refused(
        app: ServiceName, request: WiringRequest, response: WiringResponse, keySetting: String?, secrets: [String]
    ) -> WiringFailure {
        let message = redact(appMessage(response), secrets)
        let fix: String
        switch response.status {
        case 401, 403:
            fix =
                keySetting.map {
                    "\($0) in .env is not the key \(app) uses: make them match (`mediaserver init` generates it before"
                        + " the first start), then run `mediaserver up`"
                } ?? "check the credentials mediaserver keeps in .env for \(app)"
        case 400, 409, 422:
            fix =
                "correct what \(app) names above (the value comes from .env or the catalog), or change it in \(app)'s"
                + " web UI, then run `mediaserver wire` again"
        case 404:
            fix = "\(app) does not know this call: is it the version the catalog pins? (`mediaserver services`)"
        default:
            fix = "read \(app)'s log (`docker logs \(app)`), then run `mediaserver wire` again"
        }
        return WiringFailure(app: app, call: request.call, status: response.status, message: message, fix: fix)
    }

    /// A failure for a call that got no answer.
    static func unreachable(app: ServiceName, request: WiringRequest, error: WiringTransportError) -> WiringFailure {
        WiringFailure(
            app: app, call: request.call, message: error.description,
            fix: "start it (`mediaserver up`, `mediaserver ps` shows its state), or point `--url \(app)=URL` at it")
    }

    /// The app's own message: Servarr validation failures (`propertyName: errorMessage`), a `message` or `error`
    /// member, or the body's first line.
    static func appMessage(_ response: WiringResponse) -> String {
        if let json = response.json {
            if let failures = json.array {
                let lines = failures.compactMap { failure -> String? in
                    guard let text = failure["errorMessage"]?.string else { return nil }
                    // A test failure has no property (Prowlarr's `new ValidationFailure(string.Empty, …)`).
                    guard let property = failure["propertyName"]?.string, !property.isEmpty else { return text }
                    return "\(property): \(text)"
                }
                if !lines.isEmpty { return lines.joined(separator: "; ") }
            }
            for member in ["message", "error", "Message", "title"] {
                if let text = json[member]?.string, !text.isEmpty { return text }
            }
        }
        let text = String(decoding: response.body.prefix(300), as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.isEmpty ? "no message" : line
    }

    static func redact(_ text: String, _ secrets: [String]) -> String {
        secrets.filter { $0.count >= 4 }.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }
}
