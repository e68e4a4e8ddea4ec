/// A container image pinned to a tag (never `latest`).
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    public let repository: String
    public let tag: String

    public init(_ repository: String, tag: String) {
        self.repository = repository
        self.tag = tag
    }

    public var description: String { "\(repository):\(tag)" }
}
