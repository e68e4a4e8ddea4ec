/// A value written as a whole positive number and a one-letter unit (`10m`, `128m`): parsed and printed alike.
/// `TimeSpan` and `ByteSize` are its two kinds; each unit enumeration says which letters it takes.
public struct AmountWithUnit<Unit: AmountUnit>: Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let amount: Int
    public let unit: Unit

    public init(amount: Int, unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

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

/// The one-letter units an `AmountWithUnit` takes.
public protocol AmountUnit: RawRepresentable<Character>, Hashable, Sendable {}
