import Foundation

/// What an app answered.
public struct WiringResponse: Sendable, Hashable {
    public let status: Int
    public let body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }

    public var json: WireJSON? { WireJSON.parse(body) }
    public var succeeded: Bool { (200..<300).contains(status) }
}
