import Foundation
import MediaStack
import MediaStackOperations
import Testing

/// `EnvFile` against the real Compose loader: for every file of `Tests/Fixtures/dotenv`, the values the reader
/// returns equal the values Compose interpolates into a probe service (`docker-compose config --format json`).
@Suite("The .env reader reads what Compose reads")
struct EnvFileDifferentialTests {
    static let corpus = IntegrationSupport.fixtures.appendingPathComponent("dotenv")
    static let unset = "__mediaserver_unset__"

    enum Expectation: Equatable {
        case same
        case composeRefuses
        case readerRefuses(String)
    }

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []).filter { $0.hasSuffix(".env") }
            .sorted()
    }

    static func expectation(of bytes: [UInt8]) -> Expectation? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let range = text.range(of: "# expect: ") else { return nil }
        let line = String(
            String.UnicodeScalarView(text[range.upperBound...].unicodeScalars.prefix { $0 != "\n" && $0 != "\r" }))
        if line == "same" { return .same }
        if line == "compose-refuses" { return .composeRefuses }
        if line.hasPrefix("reader-refuses ") { return .readerRefuses(String(line.dropFirst("reader-refuses ".count))) }
        return nil
    }

    /// Every name a line of `text` could set (a superset: Compose's own rules decide which it does set).
    static func candidateKeys(_ text: String) -> [String] {
        var keys: [String] = []
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            var rest = line.drop { $0 == " " || $0 == "\t" || $0 == "\u{FEFF}" }
            if rest.hasPrefix("export ") || rest.hasPrefix("export\t") { rest = rest.dropFirst(7) }
            let name = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            if let first = name.first, !first.isNumber, !keys.contains(String(name)) { keys.append(String(name)) }
        }
        return keys
    }

    /// What Compose gives each of `keys`: nil when it refuses the file, else key → value (`unset` when unset).
    static func composeValues(envFile: URL, keys: [String]) async throws -> (values: [String: String]?, error: String) {
        let folder = envFile.deletingLastPathComponent()
        var probe = "services:\n  probe:\n    image: scratch\n    environment:\n"
        for key in keys { probe += "      \(key): '${\(key)-\(unset)}'\n" }
        if keys.isEmpty { probe += "      NOTHING: nothing\n" }
        let composeFile = folder.appendingPathComponent("probe.yml")
        try probe.write(to: composeFile, atomically: true, encoding: .utf8)
        guard let tool = IntegrationSupport.tool("docker-compose") else { throw CancellationError() }
        let output = try await IntegrationSupport.run(
            tool,
            ["-p", "probe", "--env-file", envFile.path, "-f", composeFile.path, "config", "--format", "json"],
            in: folder)
        guard output.status == 0 else { return (nil, output.standardError) }
        let json = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        let services = json?["services"] as? [String: Any]
        let environment = (services?["probe"] as? [String: Any])?["environment"] as? [String: Any] ?? [:]
        var values: [String: String] = [:]
        for (key, value) in environment {
            // `config` writes its output so that it loads again: every `$` comes out doubled.
            values[key] = (value as? String)?.replacingOccurrences(of: "$$", with: "$")
        }
        return (values, output.standardError)
    }

    @Test("a corpus file reads the same in Compose", arguments: files)
    func corpusFile(_ name: String) async throws {
        let source = Self.corpus.appendingPathComponent(name)
        let bytes = Array(try Data(contentsOf: source))
        let expectation = try #require(Self.expectation(of: bytes), "\(name) has no `# expect:` line")
        let folder = try IntegrationSupport.scratchCheckout()
        defer { try? FileManager.default.removeItem(at: folder) }
        let envFile = folder.appendingPathComponent("test.env")
        try Data(bytes).write(to: envFile)

        let (file, issues) = EnvFile.parseCollectingIssues(
            bytes: bytes, path: name, environment: IntegrationSupport.cleanEnvironment)
        let keys = Set(Self.candidateKeys(String(decoding: bytes, as: UTF8.self)) + file.entries.map(\.key)).sorted()
        let compose = try await Self.composeValues(envFile: envFile, keys: keys)

        switch expectation {
        case .same:
            #expect(issues.isEmpty, "\(name): the reader refused what Compose accepts: \(issues)")
            let values = try #require(compose.values, "\(name): Compose refused it: \(compose.error)")
            #expect(!file.entries.isEmpty)
            for key in keys {
                #expect(
                    file[key] ?? Self.unset == values[key], "\(name): \(key): reader \(file[key] ?? "unset")")
            }
        case .composeRefuses:
            #expect(compose.values == nil, "\(name): Compose accepted it")
            #expect(!issues.isEmpty, "\(name): the reader accepted what Compose refuses (\(compose.error))")
        case .readerRefuses(let why):
            let values = try #require(compose.values, "\(name): Compose refused it (\(compose.error)), so say so")
            #expect(!issues.isEmpty, "\(name): the reader accepted it, but should refuse: \(why)")
            // A key the reader refused (a second line of it, say) is not compared.
            let refused = Set(issues.compactMap(\.key))
            for entry in file.entries where !refused.contains(entry.key) {
                #expect(entry.value == values[entry.key], "\(name): \(entry.key) differs from Compose")
            }
        }
    }

    /// Values that need quoting, written by `EnvFile.literal`, come back unchanged from Compose.
    @Test func literalsReadBackExactly() async throws {
        let values = [
            "plain", "with space", "dollar$sign", "$HOME", "${HOME}", "$$", "quote\"inside", "single'inside",
            "back\\slash", "ends with backslash\\", "hash # inside", "#leading", "tab\tinside", "\\n not a newline",
            "\\$ both", "üñíçødé", " leading and trailing ", "a=b", "'", "\"", "",
        ]
        let text = values.enumerated().map { "V\($0.offset)=\(EnvFile.literal($0.element))" }.joined(separator: "\n")
        let folder = try IntegrationSupport.scratchCheckout()
        defer { try? FileManager.default.removeItem(at: folder) }
        let envFile = folder.appendingPathComponent("test.env")
        try text.write(to: envFile, atomically: true, encoding: .utf8)
        let file = try EnvFile.parse(text, path: "test.env", environment: IntegrationSupport.cleanEnvironment)
        let compose = try await Self.composeValues(envFile: envFile, keys: values.indices.map { "V\($0)" })
        let read = try #require(compose.values, "Compose refused the literals: \(compose.error)")
        for (index, value) in values.enumerated() {
            #expect(file["V\(index)"] == value, "the reader changed \(value.debugDescription)")
            #expect(read["V\(index)"] == value, "Compose changed \(value.debugDescription): \(text)")
        }
    }
}
