/// A span of time, e.g. `10m`, `1h`, `1d`: what fail2ban (`findtime`, `bantime`) and Compose (`stop_grace_period`,
/// `s`/`m`/`h` only) both read.
public struct TimeSpan: AmountWithUnit {
    public enum Unit: Character, Hashable, Sendable {
        case seconds = "s", minutes = "m", hours = "h", days = "d"
    }

    public let amount: Int
    public let unit: Unit

    public init(amount: Int, unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

    public var seconds: Int {
        switch unit {
        case .seconds: amount
        case .minutes: amount * 60
        case .hours: amount * 3600
        case .days: amount * 86400
        }
    }
}
