/// One crontab line: a five-field schedule and the command it runs.
public struct CronLine: Hashable, Sendable, CustomStringConvertible {
    public let schedule: CronSchedule
    public let command: String

    /// Catalog literal schedule; the test suites render every crontab, so an invalid one cannot pass unseen.
    public init(_ schedule: String, _ command: String) {
        guard let parsed = CronSchedule(schedule) else { preconditionFailure("not a cron schedule: \(schedule)") }
        self.schedule = parsed
        self.command = command
    }

    public var description: String { "\(schedule) \(command)" }
}
