/// A value written as a whole positive number and a one-letter unit (`10m`, `128m`): parsed and printed alike.
public protocol AmountWithUnit: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    associatedtype Unit: RawRepresentable<Character>
    var amount: Int { get }
    var unit: Unit { get }
    init(amount: Int, unit: Unit)
}

extension AmountWithUnit {
    /// Parses `10m`; nil for anything else.
    public init?(_ text: String) {
        guard let last = text.last, let unit = Unit(rawValue: last), text.dropLast().allSatisfy(\.isASCII),
            let amount = Int(text.dropLast()), amount > 0
        else { return nil }
        self.init(amount: amount, unit: unit)
    }

    /// Catalog literal; the catalog test suite proves every literal valid.
    public init(stringLiteral value: String) {
        guard let parsed = Self(value) else { preconditionFailure("not a \(Self.self): \(value)") }
        self = parsed
    }

    public var description: String { "\(amount)\(unit.rawValue)" }
}

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

/// A memory size as Compose's `mem_limit` takes it: `b`, `k`, `m` or `g`, e.g. `128m`.
public struct ByteSize: AmountWithUnit {
    public enum Unit: Character, Hashable, Sendable {
        case bytes = "b", kibibytes = "k", mebibytes = "m", gibibytes = "g"
    }

    public let amount: Int
    public let unit: Unit

    public init(amount: Int, unit: Unit) {
        self.amount = amount
        self.unit = unit
    }
}

/// A cron schedule: five fields (minute hour day month weekday), or six with seconds first as Watchtower reads
/// it. Each field is `*`, `?`, numbers in the field's range with `-` ranges, `/` steps and `,` lists, or (month and
/// weekday) names such as `MON`.
public struct CronSchedule: Hashable, Sendable, CustomStringConvertible {
    public let fields: [String]

    /// The ranges of the five classic fields; a six-field schedule starts with seconds (0-59).
    static let ranges: [ClosedRange<Int>] = [0...59, 0...23, 1...31, 1...12, 0...7]

    /// Parses `text`; nil when it has the wrong number of fields or a field out of range.
    public init?(_ text: String, withSeconds: Bool = false) {
        let fields = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let ranges = (withSeconds ? [0...59] : []) + Self.ranges
        guard fields.count == ranges.count else { return nil }
        for (field, range) in zip(fields, ranges) where !Self.isValid(field, range) { return nil }
        self.fields = fields
    }

    static func isValid(_ field: String, _ range: ClosedRange<Int>) -> Bool {
        field.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { item in
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count) else { return false }
            if parts.count == 2, Int(parts[1]).map({ $0 > 0 }) != true { return false }
            let base = parts[0]
            if base == "*" || base == "?" { return true }
            let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count) else { return false }
            return bounds.allSatisfy { bound in
                Int(bound).map(range.contains) ?? (bound.count == 3 && bound.allSatisfy { $0.isASCII && $0.isLetter })
            }
        }
    }

    public var description: String { fields.joined(separator: " ") }
}

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
