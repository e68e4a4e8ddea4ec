import ArgumentParser

/// The `mediaserver` command line.
public struct MediaServerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mediaserver",
        abstract: "Render, check and operate the mediaserver Docker Compose stacks.",
        discussion: """
            Every file of the stack (compose.yml, homepage-stack.yml, .env.example and the app configuration \
            files) is rendered from one typed catalog of services and your settings in .env.

            Examples:
              mediaserver render            write every rendered file (keeps files you edited by hand)
              mediaserver render --check    exit 1 and name each file that differs from a fresh render
              mediaserver check --json      findings about the settings and the stacks, for scripts
              mediaserver services          the services, their stack, ports and health probes

            Exit codes: 0 ok, 1 failed, 2 findings of severity error, 64 usage.
            """,
        subcommands: [
            RenderCommand.self, CheckCommand.self, HealthCommand.self, ServicesCommand.self, BackupCommand.self,
            OffsiteCommand.self,
        ]
    )

    public init() {}
}
