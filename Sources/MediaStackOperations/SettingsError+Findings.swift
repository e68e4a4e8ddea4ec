import MediaStack
import MediaStackChecks

extension SettingsError {
    /// The settings problems as error findings (id `invalid-setting`), so `check --json` reports them too.
    public var findings: [Finding] {
        issues.map { issue in
            Finding(.error, .invalidSetting, subject: issue.location, message: issue.message, fix: issue.fix)
        }
    }
}
