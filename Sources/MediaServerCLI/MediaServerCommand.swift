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
              mediaserver up                write .env if missing, render, start both stacks, wait until healthy
              mediaserver init              write .env: detected ids, time zone, LAN address; generated secrets
              mediaserver doctor            check this host (Docker, folders, hardlinks, ports, space)
              mediaserver health            probe every service at once; exit 1 names what is down
              mediaserver render --check    exit 1 and name each file that differs from a fresh render
              mediaserver check --json      findings about the settings and the stacks, for scripts
              mediaserver ps | down         container states; stop both stacks
              mediaserver services          the services, their stack, ports and health probes

            Exit codes: 0 ok, 1 failed, 2 findings of severity error, 64 usage.
            """,
        subcommands: [
            InitCommand.self, RenderCommand.self, CheckCommand.self, DoctorCommand.self, UpCommand.self,
            DownCommand.self,
            PsCommand.self, HealthCommand.self, ServicesCommand.self,
        ]
    )

    public init() {}
}
