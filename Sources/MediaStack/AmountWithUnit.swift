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
