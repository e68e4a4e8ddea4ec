import MediaStack

extension UpgradeCheck.Subject {
    /// The service's pinned image; a published tag counts when it has the pinned tag's shape.
    public init(_ service: Service) {
        let pinned = ReleaseVersion(tag: service.image.tag)
        self.init(
            service: service.name, image: service.image,
            accepts: { tag in pinned.map { Self.sameShape(tag, as: $0) } ?? false })
    }

    /// Whether `tag` is spelled like `pinned`: the same `v` prefix or none, as many version numbers, a
    /// linuxserver.io build number exactly when the pinned tag has one, and a suffix exactly when it has one.
    static func sameShape(_ tag: String, as pinned: ReleaseVersion) -> Bool {
        guard let version = ReleaseVersion(tag: tag) else { return false }
        return tag.hasPrefix("v") == pinned.tag.hasPrefix("v") && version.numbers.count == pinned.numbers.count
            && (version.build == nil) == (pinned.build == nil) && version.suffix.isEmpty == pinned.suffix.isEmpty
    }
}
