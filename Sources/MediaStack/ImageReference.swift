/// A container image pinned to a tag (never `latest`), with its publisher's tag scheme.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    public let repository: String
    public let tag: String
    /// How the publisher names release tags; tests hold `tag` to it.
    public let scheme: TagScheme

    public init(_ repository: String, tag: String, scheme: TagScheme) {
        self.repository = repository
        self.tag = tag
        self.scheme = scheme
    }

    public var description: String { "\(repository):\(tag)" }
}
