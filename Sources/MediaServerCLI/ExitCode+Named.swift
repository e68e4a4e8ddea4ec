import ArgumentParser

/// The exit codes of every command: 0 ok, 1 failed, 2 findings of severity error, 64 usage (ArgumentParser's
/// `ValidationError`), 128 + the signal when stopped by one.
extension ExitCode {
    /// A check found problems of severity error (bad settings, a port clash, a doctor error); nothing was changed.
    static let findings = ExitCode(2)

    /// Stopped by `signal` (SIGINT, SIGTERM, SIGHUP) after the running tool was stopped cleanly: 128 + the signal, as a
    /// shell reports it.
    static func interrupted(by signal: Int32) -> ExitCode { ExitCode(128 + signal) }
}
