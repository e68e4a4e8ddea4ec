import MediaStack

extension UpgradeCheck.Subject {
    /// The service's image; a published tag counts when it is a release tag of the image's publisher scheme.
    public init(_ service: Service) {
        let scheme = service.image.scheme
        self.init(service: service.name, image: service.image, accepts: { scheme.accepts($0) })
    }
}
