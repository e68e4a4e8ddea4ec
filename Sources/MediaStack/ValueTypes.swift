/// A span of time written as a whole number and one unit, e.g. `10m`, `1h`, `1d`: what fail2ban (`findtime`,
/// `bantime`) and Compose (`stop_grace_period`, `s`/`m`/`h` only) both read.
public struct TimeSpan: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public enum Unit: Character, Hashable, Sendable {
        case seconds = "s", minutes = "m", hours = "h", days = "d"

        var seconds: Int {
            switch self {
            case .seconds: 1
            case .minutes: 60
            case .hours: 3600
            case .days: 86400
            }
        }
    }

    public let amount: Int
    public let unit: Unit

    /// Parses `10m`; nil for anything else.
    public init?(_ text: String) {
        guard let last = text.last, let unit = Unit(rawValue: last), let amount = Int(text.dropLast()), amount > 0,
            text.dropLast().allSatisfy(\.isASCII)
        else { return nil }
        self.amount = amount
        self.unit = unit
    }

    /// Catalog literal; the catalog test suite proves every literal valid.
    public init(stringLiteral value: String) {
        guard let span = TimeSpan(value) else { preconditionFailure("not a time span: \(value)") }
        self = span
    }

    public var seconds: Int { amount * unit.seconds }
    public var description: String { "\(amount)\(unit.rawValue)" }
}

/// A memory size as Compose's `mem_limit` takes it: a whole number and `b`, `k`, `m` or `g`, e.g. `128m`.
public struct ByteSize: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public enum Unit: Character, Hashable, Sendable {
        case bytes = "b", kibibytes = "k", mebibytes = "m", gibibytes = "g"
    }

    public let amount: Int
    public let unit: Unit

    /// Parses `128m`; nil for anything else.
    public init?(_ text: String) {
        guard let last = text.last, let unit = Unit(rawValue: last), let amount = Int(text.dropLast()), amount > 0,
            text.dropLast().allSatisfy(\.isASCII)
        else { return nil }
        self.amount = amount
        self.unit = unit
    }

    /// Catalog literal; the catalog test suite proves every literal valid.
    public init(stringLiteral value: String) {
        guard let size = ByteSize(value) else { preconditionFailure("not a size: \(value)") }
        self = size
    }

    public var description: String { "\(amount)\(unit.rawValue)" }
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
