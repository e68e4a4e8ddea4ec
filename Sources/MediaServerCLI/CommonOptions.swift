import ArgumentParser
import Foundation
import MediaStack
import MediaStackChecks
import MediaStackOperations

/// Options shared by commands that read a checkout.
struct CommonOptions: ParsableArguments {
    // Optional so that --help says the default once, in words, instead of appending the folder help ran in.
    @Option(name: .customLong("root"), help: "The checkout holding compose.yml (default: the current folder).")
    var rootOption: String?

    /// The checkout: `--root`, or the current folder.
    var root: String { rootOption ?? FileManager.default.currentDirectoryPath }

    @Option(
        name: .customLong("env-file"),
        help: "The settings file, relative to --root (default: .env, or .env.example when there is no .env).")
    var envFile: String?

    var rootURL: URL { URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL }

    /// The folder holding the render of `settingsPath`: the root for `.env.example`, `deploy/` for a user's `.env`.
    func renderFolder(_ settingsPath: String) -> URL {
        RenderLocation.folder(checkout: rootURL, settingsPath: settingsPath)
    }

    /// The settings file as Compose, running in the render folder, must be given it.
    func composeSettingsPath(_ settingsPath: String) -> String {
        RenderLocation.absoluteSettingsPath(checkout: rootURL, settingsPath: settingsPath)
    }

    /// The validated settings; on a problem, prints each with its file, line and fix and exits with 2.
    func loadSettings() throws -> Settings {
        do {
            return try SettingsLoader(root: rootURL).load(envFile)
        } catch {
            for issue in error.issues { Console.error(issue.description) }
            throw ExitCode.findings
        }
    }

    func validateRoot() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--root \(root) is not a folder")
        }
    }
}

/// Writes to stderr, for progress and diagnostics (stdout carries results).
enum Console {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        output(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
