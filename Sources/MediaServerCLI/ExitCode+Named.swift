import ArgumentParser

/// The exit codes of every command: 0 ok, 1 failed, 2 findings of severity error, 64 usage (ArgumentParser's
/// `ValidationError`).
extension ExitCode {
    /// A check found problems of severity error (bad settings, a port clash, a doctor error); nothing was changed.
    static let findings = ExitCode(2)
}
