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
