import MediaStack

/// An app whose API key the app makes itself (the catalog declares it copied from the app) and that `.env` does not
/// hold yet: a person's step, said once, rather than a failure.
public struct PendingKeyWiring: AppWiring {
    public let app: ServiceName
    public let setting: String
    /// Where the app shows its key, from the catalog's declaration.
    public let whereToFind: String

    public func plan(_ context: WiringContext) async throws(WiringFailure) -> [WiringAction] {
        [
            WiringAction(
                app: app, kind: "API key", key: setting,
                change: .needsPerson("not in .env yet (\(whereToFind)); set it there, then run `mediaserver wire`"))
        ]
    }

    public func apply(_ action: WiringAction, _ context: WiringContext) async throws(WiringFailure) {}
}
