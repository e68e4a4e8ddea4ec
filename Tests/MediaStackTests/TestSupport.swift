import Foundation
import MediaStackRendering
import TestKit
import Testing

@testable import MediaStack

enum TestSupport {
    /// The repository root, found from this file's path.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let testsFolder = repositoryRoot.appendingPathComponent("Tests/MediaStackTests")

    /// Settings parsed from `text` as if read from `path`.
    static func settings(_ text: String, path: String = ".env") throws -> Settings {
        try Settings.parse(text, path: path)
    }

    /// The defaults of `.env.example`, with `overrides` appended as extra lines.
    static func settings(overriding overrides: [String: String]) throws -> Settings {
        let defaults = EnvFile.defaults(path: ".env")
        let lines = defaults.entries.map { entry in
            "\(entry.key)=\(overrides[entry.key].map(quote) ?? quote(entry.value))"
        }
        return try settings(lines.joined(separator: "\n"))
    }

    static func quote(_ value: String) -> String { value.contains(" ") ? "\"\(value)\"" : value }

    static func render(_ settings: Settings) throws -> [RenderedFile] {
        try StackRenderer().render(Stack(settings: settings))
    }

    /// A service beyond the catalog, declared exactly as a newcomer adds one to `Catalog.automation` (README, "Adding a
    /// service", with Lidarr): one family call, nothing else. Its name is no real app's, so it stays beyond the
    /// catalog whatever is added.
    static func newcomer(port: ServicePort = 40100) -> Service {
        Catalog.servarr(
            "newarr", tag: "1.0.0-ls1", port: port, summary: "An automation app in the *arr family",
            mediaMount: Mount(.data(""), "/data"), description: "New media", widgetFields: ["wanted", "queued"],
            keyHelp: "Newarr's API key (32 hex characters).")
    }

    /// The stack of the catalog plus `extra` (those it does not hold already), with the defaults of the
    /// `.env.example` that catalog renders.
    static func stack(adding extra: [Service], overriding overrides: [String: String] = [:]) throws -> Stack {
        let catalog = Catalog.services + extra.filter { added in !Catalog.services.contains { $0.name == added.name } }
        let definitions = SettingsCatalog.definitions(for: catalog)
        let lines = EnvFile.defaults(path: ".env", definitions: definitions).entries.map { entry in
            "\(entry.key)=\(overrides[entry.key].map(quote) ?? quote(entry.value))"
        }
        let (file, issues) = EnvFile.parseCollectingIssues(lines.joined(separator: "\n"), path: ".env")
        precondition(issues.isEmpty, "\(issues)")
        let settings = try Settings(file: file, definitions: definitions, services: catalog)
        return Stack(settings: settings, catalog: catalog)
    }

    static func file(_ files: [RenderedFile], _ path: String) -> String {
        files.first { $0.path == path }?.contents ?? ""
    }

    /// A fresh empty temporary folder, removed with the test run (`Scratch`).
    static func temporaryFolder() throws -> URL {
        try Scratch.folder("mediaserver-tests")
    }
}

/// A settings file that must be refused: the key named, and the message and the fix it must hold.
struct SettingsBadCase: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let key: String
    let message: String
    let fix: String
    var testDescription: String { name }
}
