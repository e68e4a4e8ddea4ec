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
