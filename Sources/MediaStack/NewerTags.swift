/// The published tags of one image that are worth upgrading to from its pinned tag.
public struct NewerTags: Hashable, Sendable {
    /// Newer release tags, oldest first.
    public let tags: [String]
    /// Newer release tags of a later major version, left out unless asked for, oldest first.
    public let otherMajors: [String]

    /// Picks from `published` the tags that `accepts` (the image's tag scheme) calls release tags, that are not test
    /// builds and not `latest`, and that order after `pinned`; a later major version only with `allowMajor`.
    public init(pinned: String, published: [String], accepts: (String) -> Bool, allowMajor: Bool) {
        guard let current = ReleaseVersion(tag: pinned) else {
            self.tags = []
            self.otherMajors = []
            return
        }
        let newer =
            published
            .filter { $0 != "latest" && accepts($0) }
            .compactMap { ReleaseVersion(tag: $0) }
            .filter { !$0.isPrerelease && $0.isNewer(than: current) }
            .sorted()
        let sameMajor = newer.filter { $0.major == current.major }
        self.tags = (allowMajor ? newer : sameMajor).map(\.tag)
        self.otherMajors = allowMajor ? [] : newer.filter { $0.major != current.major }.map(\.tag)
    }

    /// The newest tag to upgrade to, if any.
    public var newest: String? { tags.last }
}
