/// A Compose secret whose value Compose takes from an environment variable (`.env`) and mounts as a file at
/// `/run/secrets/<name>`, so a service reads the secret from a file and no rendered file ever holds it.
public struct ComposeSecret: Hashable, Sendable {
    /// The secret's name, also its file name under `/run/secrets`.
    public let name: String
    /// The settings key whose value becomes the file's contents.
    public let settingKey: String

    public init(_ name: String, from settingKey: String) {
        self.name = name
        self.settingKey = settingKey
    }

    /// Where the service sees the secret.
    public var path: String { "/run/secrets/\(name)" }
}
