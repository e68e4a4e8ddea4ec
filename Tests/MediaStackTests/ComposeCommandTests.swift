import Foundation
import MediaStack
import MediaStackRendering
import Testing

/// Every `docker compose exec|run|logs SERVICE` a user may copy from the docs, the README, a rendered file or a
/// message of the tool names a Compose service of the catalog (not a container name such as `mediaserver-backup`).
@Suite("Compose commands in docs and messages")
struct ComposeCommandTests {
    /// The service names the commands in `text` use, with the line they are on.
    static func servicesNamed(in text: String) -> [(service: String, line: String)] {
        var found: [(String, String)] = []
        // A backtick or a quote ends a command: "through `docker compose exec` in the deployment" names none.
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            for segment in line.split(whereSeparator: { $0 == "`" || $0 == "\"" }) {
                var words = segment.split(whereSeparator: { $0 == " " || $0 == "'" }).map(String.init)
                while let start = words.firstIndex(of: "docker"), start + 1 < words.count {
                    words.removeFirst(start + 1)
                    guard words.first == "compose" else { continue }
                    var index = 1
                    // Global options before the subcommand: `-f FILE`, `-p NAME`, `--profile NAME`.
                    while index < words.count, words[index].hasPrefix("-") {
                        index += ["-f", "--file", "-p", "--project-name", "--profile"].contains(words[index]) ? 2 : 1
                    }
                    guard index < words.count, ["exec", "run", "logs"].contains(words[index]) else { continue }
                    index += 1
                    // Subcommand flags; those that take a value skip it.
                    while index < words.count, words[index].hasPrefix("-") {
                        index +=
                            ["-u", "--user", "-w", "--workdir", "-e", "--env", "--tail", "--entrypoint"].contains(
                                words[index]) ? 2 : 1
                    }
                    guard index < words.count else { continue }
                    let service = words[index].trimmingCharacters(in: CharacterSet(charactersIn: ".,;:)"))
                    // Placeholders such as SERVICE or <service> are fine in prose.
                    if service.uppercased() == service || service.hasPrefix("<") { continue }
                    found.append((service, String(line)))
                }
            }
        }
        return found
    }

    static func files() throws -> [URL] {
        let root = TestSupport.repositoryRoot
        var urls = [root.appendingPathComponent("README.md")]
        for folder in ["docs", "Sources"] {
            let enumerator = FileManager.default.enumerator(
                at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                if ["md", "swift"].contains(url.pathExtension) { urls.append(url) }
            }
        }
        return urls
    }

    @Test func everyComposeCommandNamesARealService() throws {
        let names = Set(Catalog.services.map(\.name.rawValue))
        var checked = 0
        for url in try Self.files() {
            let text = try String(contentsOf: url, encoding: .utf8)
            for (service, line) in Self.servicesNamed(in: text) {
                checked += 1
                #expect(
                    names.contains(service),
                    "\(url.lastPathComponent): `\(service)` is not a Compose service: \(line.trimmingCharacters(in: .whitespaces))"
                )
            }
        }
        let rendered = try TestSupport.render(try TestSupport.settings(overriding: [:]))
        for file in rendered {
            for (service, line) in Self.servicesNamed(in: file.contents) {
                checked += 1
                #expect(names.contains(service), "\(file.path): `\(service)` is not a Compose service: \(line)")
            }
        }
        // The docs do run commands this way; a scanner that finds none has stopped reading them.
        #expect(checked >= 4)
    }

    @Test func theScannerReadsTheCommandShapesTheDocsUse() {
        let text = """
            docker compose exec -T borgmatic borg key export /mnt/borg-repository
            Run: docker compose run --rm recyclarr sync
            `docker compose -f homepage-stack.yml logs --tail 50 dozzle`
            docker compose exec mediaserver-backup borgmatic create
            """
        #expect(
            Self.servicesNamed(in: text).map(\.service) == ["borgmatic", "recyclarr", "dozzle", "mediaserver-backup"])
    }
}
