import ArgumentParser

/// The `mediaserver` command line.
public struct MediaServerCommand: AsyncParsableCommand {
    /// The release, printed by `mediaserver --version`; docs/upgrade.md lists what changed in each.
    public static let version = "0.2.0"

    public static let configuration = CommandConfiguration(
        commandName: "mediaserver",
        abstract: "Render, check and operate the mediaserver Docker Compose stacks.",
        discussion: """
            Every file of the stack (compose.yml, homepage-stack.yml, .env.example and the app configuration \
            files) is rendered from one typed catalog of services and your settings in .env.

            Examples:
              mediaserver up              start both stacks and wait until healthy
              mediaserver init            write .env (detected ids, new secrets)
              mediaserver doctor          check this host for the stack
              mediaserver health          probe every service; exit 1 if one is down
              mediaserver wire            connect the apps to each other (after `up`)
              mediaserver render --check  name each file that differs from a render
              mediaserver check --json    findings about settings and stack files
              mediaserver ps              container state and health
              mediaserver backup run      back up now; `backup restore-drill` proves it
              mediaserver upgrade --check newer tags in each image's registry
              mediaserver down            stop both stacks

            Exit codes: 0 ok, 1 failed, 2 findings of severity error, 64 usage.
            """,
        version: version,
        subcommands: [
            InitCommand.self, RenderCommand.self, CheckCommand.self, DoctorCommand.self, UpCommand.self,
            DownCommand.self, PsCommand.self, HealthCommand.self, BackupCommand.self, OffsiteCommand.self,
            ServicesCommand.self, WireCommand.self, UpgradeCommand.self, MigrateCommand.self,
        ]
    )

    public init() {}
}
