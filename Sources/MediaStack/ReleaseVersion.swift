import Foundation

/// The orderable version inside an image tag, for telling which published tags are newer than the pinned one.
///
/// Reads the tag shapes of the catalog's publishers: `v3.14.0`, `10.11.11`, and linuxserver.io's
/// `<upstream version>-ls<build>` (`4.0.19.2979-ls316`, `1.43.3.10828-00f62d37d-ls315`, `3.4.6-r0-ls101`). Whether a
/// tag is a release tag of its image at all is the image's tag scheme's call; this type only orders tags.
public struct ReleaseVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The leading dot-separated numbers, `[4, 0, 19, 2979]` for `4.0.19.2979-ls316`.
    public let numbers: [Int]
    /// linuxserver.io's build number after `-ls`, which its pipeline raises by one with every build of the image.
    public let build: Int?
    /// What follows the numbers in the upstream version, e.g. `-00f62d37d` (Plex's commit) or `-r0` (Alpine revision).
    public let suffix: String
    /// The tag this was read from.
    public let tag: String

    /// Reads `tag`; nil when it does not start with a number (`latest`, `develop`, `nightly-…`, `amd64-…`).
    public init?(tag: String) {
        var text = Substring(tag)
        var build: Int?
        if let range = text.range(of: "-ls", options: .backwards), let number = Int(text[range.upperBound...]) {
            build = number
            text = text[..<range.lowerBound]
        }
        if text.first == "v" || text.first == "V" { text = text.dropFirst() }
        var numbers: [Int] = []
        var rest = text
        while let first = rest.first, first.isASCII, first.isNumber {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard let number = Int(digits) else { return nil }
            numbers.append(number)
            rest = rest.dropFirst(digits.count)
            // A dot continues the version only when a number follows it.
            guard rest.first == ".", let next = rest.dropFirst().first, next.isASCII, next.isNumber else { break }
            rest = rest.dropFirst()
        }
        guard !numbers.isEmpty else { return nil }
        self.numbers = numbers
        self.build = build
        self.suffix = String(rest)
        self.tag = tag
    }

    /// The first number: what "same major" compares.
    public var major: Int { numbers[0] }

    /// Whether the upstream version is marked as a test build (alpha, beta, release candidate, nightly, …).
    ///
    /// Commit hashes (Plex's `-00f62d37d`) and Alpine revisions (`-r0`) are not markers: every marker holds a letter
    /// outside a-f, and `-r<number>` is matched as a whole word only.
    public var isPrerelease: Bool {
        let words = suffix.lowercased().split { !$0.isLetter }
        return words.contains { word in
            Self.prereleaseWords.contains(where: { word.hasPrefix($0) })
        }
    }

    private static let prereleaseWords = [
        "alpha", "beta", "rc", "pre", "preview", "dev", "develop", "nightly", "unstable", "test", "snapshot", "canary",
        "edge", "experimental",
    ]

    public var description: String { tag }

    /// Whether this is a later release than `other`: a higher number (a missing trailing number counts as 0), or the
    /// same numbers and a higher linuxserver.io build. Two spellings of one version (`v1.2.3`, `1.2.3`) are neither.
    public func isNewer(than other: ReleaseVersion) -> Bool {
        let count = max(numbers.count, other.numbers.count)
        for index in 0..<count {
            let mine = index < numbers.count ? numbers[index] : 0
            let theirs = index < other.numbers.count ? other.numbers[index] : 0
            if mine != theirs { return mine > theirs }
        }
        if let mine = build, let theirs = other.build { return mine > theirs }
        return false
    }

    /// Release order, then the tag text, so sorting is stable.
    public static func < (lhs: ReleaseVersion, rhs: ReleaseVersion) -> Bool {
        if rhs.isNewer(than: lhs) { return true }
        if lhs.isNewer(than: rhs) { return false }
        return lhs.tag < rhs.tag
    }
}
