/// One result of a check: how bad, a stable id, what it is about, what is wrong, and the fix.
public struct Finding: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable, Codable, Comparable {
        case warning, error

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
    }

    public let severity: Severity
    /// A stable kebab-case id such as `port-clash`, for scripts and suppressions.
    public let id: FindingID
    /// The service, file or setting the finding is about.
    public let subject: String
    public let message: String
    public let fix: String

    public init(_ severity: Severity, _ id: FindingID, subject: String, message: String, fix: String) {
        self.severity = severity
        self.id = id
        self.subject = subject
        self.message = message
        self.fix = fix
    }

    /// `severity: [id] subject: message` and the fix on the next line.
    public var description: String { "\(severity.rawValue): [\(id.rawValue)] \(subject): \(message)\n  fix: \(fix)" }
}

extension Array where Element == Finding {
    /// Whether any finding is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
}

/// Every finding id: the stable names scripts and suppressions match, in one place.
public enum FindingID: String, Hashable, Sendable, Codable, CaseIterable {
    case alertEmailIncomplete = "alert-email-incomplete"
    case backupUninitialised = "backup-uninitialised"
    case composeFailed = "compose-failed"
    case composeInvalid = "compose-invalid"
    case composeMissing = "compose-missing"
    case composeWarning = "compose-warning"
    case configOnNetworkFs = "config-on-network-fs"
    case disabledDependency = "disabled-dependency"
    case dockerTooOld = "docker-too-old"
    case dockerUnreachable = "docker-unreachable"
    case duplicateName = "duplicate-name"
    case envReadableByOthers = "env-readable-by-others"
    case envTrackedByGit = "env-tracked-by-git"
    case externalAuthExposed = "external-auth-exposed"
    case hardlinkUntested = "hardlink-untested"
    case invalidSetting = "invalid-setting"
    case lanIPNotOnHost = "lan-ip-not-on-host"
    case loginWithoutJail = "login-without-jail"
    case lowSpace = "low-space"
    case missingDirectory = "missing-directory"
    case missingHealthcheck = "missing-healthcheck"
    case noGpu = "no-gpu"
    case noHardlinks = "no-hardlinks"
    case placeholderSecret = "placeholder-secret"
    case portClash = "port-clash"
    case portInUse = "port-in-use"
    case portOnEveryInterface = "port-on-every-interface"
    case proxyACMELANName = "proxy-acme-lan-name"
    case proxyDNS = "proxy-dns"
    case proxyDNSElsewhere = "proxy-dns-elsewhere"
    case proxyDomain = "proxy-domain"
    case proxyInternalPublicName = "proxy-internal-public-name"
    case proxyMissing = "proxy-missing"
    case proxyTLSMode = "proxy-tls-mode"
    case renderDrift = "render-drift"
    case renderGid = "render-gid"
    case rootApps = "root-apps"
    case ufwBypass = "ufw-bypass"
    case undeclaredHostPID = "undeclared-host-pid"
    case undeclaredPrivileged = "undeclared-privileged"
    case undeclaredSocket = "undeclared-socket"
    case undeclaredVariable = "undeclared-variable"
    case undefinedVariable = "undefined-variable"
    case unknownGroup = "unknown-group"
    case unknownSetting = "unknown-setting"
    case unknownUser = "unknown-user"
    case unpinnedImage = "unpinned-image"
    case unwiredApp = "unwired-app"
    case upgradeAvailable = "upgrade-available"
    case upgradeCheckFailed = "upgrade-check-failed"
    case wrongOwner = "wrong-owner"
}
