/// A memory size as Compose's `mem_limit` takes it: `b`, `k`, `m` or `g`, e.g. `128m`.
public typealias ByteSize = AmountWithUnit<ByteUnit>

/// The units of a `ByteSize`.
public enum ByteUnit: Character, AmountUnit {
    case bytes = "b", kibibytes = "k", mebibytes = "m", gibibytes = "g"
}
