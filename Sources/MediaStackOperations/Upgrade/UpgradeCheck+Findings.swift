import MediaStackChecks

extension UpgradeCheck.Result {
    /// What `doctor --upgrades` reports for this service: a warning when newer tags exist or the registry could not
    /// be asked, nothing when the pinned tag is the newest.
    public var finding: Finding? {
        if let error {
            return Finding(
                .warning, .upgradeCheckFailed, subject: service, message: error,
                fix: "run `mediaserver upgrade --check \(service)` again later")
        }
        guard let newest else { return nil }
        let notes = releaseNotes.map { "read \($0), then " } ?? ""
        return Finding(
            .warning, .upgradeAvailable, subject: service,
            message: "\(image):\(pinned) has \(newer.count) newer release tag(s), the newest \(newest)",
            fix: "\(notes)back up and upgrade (docs/upgrade.md)")
    }
}
