import Foundation
import MediaStack

/// The objects `mediaserver wire` created, by app, collection and name, with the id the app gave them. Only these
/// are ever updated: an object of the same name that a person made (another id) is left alone. Kept beside `.env`
/// in `.mediaserver-wire.json`; it holds ids, names and fingerprints of secrets (``SecretFingerprint``), never a
/// secret.
public struct WiringOwnership: Sendable, Hashable, Codable {
    public static let fileName = ".mediaserver-wire.json"

    /// `app path key` → id; keys are lower-cased, as the apps compare names.
    public private(set) var objects: [String: Int]
    /// `app path key` → the ``SecretFingerprint`` of a secret an owned object holds that the app answers masked
    /// (SABnzbd's server password), recorded once the app accepted it; absent from older files.
    public private(set) var fingerprints: [String: String]

    public init(objects: [String: Int] = [:], fingerprints: [String: String] = [:]) {
        self.objects = objects
        self.fingerprints = fingerprints
    }

    enum CodingKeys: String, CodingKey {
        case objects, fingerprints
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        objects = try container.decode([String: Int].self, forKey: .objects)
        fingerprints = try container.decodeIfPresent([String: String].self, forKey: .fingerprints) ?? [:]
    }

    /// Writes `fingerprints` only when there is one, so a record without any reads as before.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(objects, forKey: .objects)
        if !fingerprints.isEmpty { try container.encode(fingerprints, forKey: .fingerprints) }
    }

    public func fingerprint(app: ServiceName, path: String, key: String) -> String? {
        fingerprints[Self.slot(app, path, key)]
    }

    /// Records (or, with nil, forgets) the fingerprint of an owned object's secret.
    public mutating func record(app: ServiceName, path: String, key: String, fingerprint: String?) {
        fingerprints[Self.slot(app, path, key)] = fingerprint
    }

    public func id(app: ServiceName, path: String, key: String) -> Int? {
        objects[Self.slot(app, path, key)]
    }

    public mutating func record(app: ServiceName, path: String, key: String, id: Int) {
        objects[Self.slot(app, path, key)] = id
    }

    static func slot(_ app: ServiceName, _ path: String, _ key: String) -> String {
        "\(app.rawValue) \(path) \(key.lowercased())"
    }

    /// Reads the file under `root`; an absent file means nothing was created yet.
    public static func load(root: URL) throws -> WiringOwnership {
        let url = root.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return WiringOwnership() }
        do {
            return try JSONDecoder().decode(WiringOwnership.self, from: data)
        } catch {
            throw WiringSetupError.unreadableOwnership(url.path)
        }
    }

    /// Writes the file atomically under `root`.
    public func save(root: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        try RenderWriter.atomicWrite(text, to: root.appendingPathComponent(Self.fileName), mode: 0o600)
    }
}
