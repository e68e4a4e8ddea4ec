import Foundation
import MediaStack

/// Asks each image's registry which tags are newer than the pinned one.
///
/// One request series per image repository (Borgmatic and rclone share an image), at most `concurrency` at once so
/// a public registry is not hammered; every fault is kept on the service it concerns instead of stopping the run.
public struct UpgradeCheck: Sendable {
    /// One image to check: the service, its pinned image and its publisher's tag scheme.
    public struct Subject: Sendable {
        public let service: ServiceName
        public let image: ImageReference
        /// Whether a tag is a release tag of the image's scheme.
        public let accepts: @Sendable (String) -> Bool

        public init(service: ServiceName, image: ImageReference, accepts: @escaping @Sendable (String) -> Bool) {
            self.service = service
            self.image = image
            self.accepts = accepts
        }
    }

    /// What the registry says for one service.
    public struct Result: Sendable, Hashable, Encodable {
        public let service: String
        public let image: String
        public let registry: String
        public let pinned: String
        /// Newer release tags of the same major version (all majors with `allowMajor`), oldest first.
        public let newer: [String]
        /// Newer release tags of a later major, shown only as a count unless asked for.
        public let otherMajors: [String]
        public let releaseNotes: String?
        /// Why the registry could not be asked, when it could not.
        public let error: String?

        /// The newest tag to upgrade to, if any.
        public var newest: String? { newer.last }
    }

    public let client: RegistryClient
    public let allowMajor: Bool
    public let concurrency: Int

    public init(client: RegistryClient, allowMajor: Bool = false, concurrency: Int = 4) {
        self.client = client
        self.allowMajor = allowMajor
        self.concurrency = max(1, concurrency)
    }

    /// The result of every subject, in the subjects' order.
    public func run(_ subjects: [Subject]) async -> [Result] {
        let repositories = Array(Set(subjects.map(\.image.repository))).sorted()
        var listed: [String: Swift.Result<[String], RegistryError>] = [:]
        await withTaskGroup(of: (String, Swift.Result<[String], RegistryError>).self) { group in
            var pending = repositories[...]
            func startNext() {
                guard let repository = pending.popFirst() else { return }
                group.addTask {
                    do {
                        return (repository, .success(try await client.tags(of: RegistryRepository(image: repository))))
                    } catch let error as RegistryError {
                        return (repository, .failure(error))
                    } catch {
                        return (
                            repository,
                            .failure(.unreachable(registry: repository, reason: "\(error)"))
                        )
                    }
                }
            }
            for _ in 0..<concurrency { startNext() }
            while let (repository, outcome) = await group.next() {
                listed[repository] = outcome
                startNext()
            }
        }
        return subjects.map { subject in
            let repository = RegistryRepository(image: subject.image.repository)
            let base = (
                service: subject.service.rawValue, image: subject.image.repository, registry: repository.host,
                pinned: subject.image.tag, notes: ReleaseNotes.url(for: subject.image.repository)
            )
            switch listed[subject.image.repository] {
            case .success(let tags):
                let newer = NewerTags(
                    pinned: subject.image.tag, published: tags, accepts: subject.accepts, allowMajor: allowMajor)
                return Result(
                    service: base.service, image: base.image, registry: base.registry, pinned: base.pinned,
                    newer: newer.tags, otherMajors: newer.otherMajors, releaseNotes: base.notes, error: nil)
            case .failure(let error):
                return Result(
                    service: base.service, image: base.image, registry: base.registry, pinned: base.pinned,
                    newer: [], otherMajors: [], releaseNotes: base.notes, error: error.description)
            case nil:
                return Result(
                    service: base.service, image: base.image, registry: base.registry, pinned: base.pinned,
                    newer: [], otherMajors: [], releaseNotes: base.notes, error: "not checked")
            }
        }
    }
}
