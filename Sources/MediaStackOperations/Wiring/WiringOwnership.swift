import Foundation
import MediaStack

/// The objects `mediaserver wire` created, by app, collection and name, with the id the app gave them. Only these
/// are ever updated: an object of the same name that a person made (another id) is left alone. Kept beside `.env`
/// in `.mediaserver-wire.json`; it holds ids and names, never a secret.
public struct WiringOwnership: Sendable, Hashable, Codable {
    public static let fileName = ".mediaserver-wire.json"

    /// `app path key` → id; keys are lower-cased, as the apps compare names.
    public private(set) var objects: [String: Int]

    public init(objects: [String: Int] = [:]) { self.objects = objects }

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
