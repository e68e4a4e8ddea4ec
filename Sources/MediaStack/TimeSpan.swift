/// A span of time, e.g. `10m`, `1h`, `1d`: what fail2ban (`findtime`, `bantime`) and Compose (`stop_grace_period`,
/// `s`/`m`/`h` only) both read.
public typealias TimeSpan = AmountWithUnit<TimeUnit>

/// The units of a `TimeSpan`.
public enum TimeUnit: Character, AmountUnit {
    case seconds = "s", minutes = "m", hours = "h", days = "d"
}

extension AmountWithUnit where Unit == TimeUnit {
    public var seconds: Int {
        switch unit {
        case .seconds: amount
        case .minutes: amount * 60
        case .hours: amount * 3600
        case .days: amount * 86400
        }
    }
}
