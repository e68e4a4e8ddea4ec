import Foundation
import MediaStackDigest

/// The form in which Tautulli keeps its login password: `PBKDF2$sha256$<rounds>$<salt>$<key>`.
///
/// Tautulli/Tautulli v2.17.1 `lib/hashing_passwords.py`: `make_hash` draws 16 random bytes, Base64-encodes them as
/// the salt, and derives 24 bytes with `hashlib.pbkdf2_hmac('sha256', password, salt, 600000, 24)`, where the salt
/// is the Base64 *text*; `check_hash` splits the stored string on `$`, takes the function, rounds and salt from it,
/// and compares the keys in constant time. `plexpy/webauth.py` `check_credentials` always calls `check_hash` on
/// `HTTP_PASSWORD`, so the file must hold this digest (a plain password there fails every login).
public struct TautulliPasswordDigest: Hashable, Sendable {
    /// `COST_FACTOR` of `hashing_passwords.py`.
    public static let defaultRounds = 600_000
    static let keyLength = 24
    static let saltLength = 16
    /// A stored digest asking for more rounds than this is not checked (it would take minutes).
    static let maximumRounds = 10_000_000

    public let text: String

    /// A new digest of `password` with a fresh random salt.
    public init(password: String, rounds: Int = Self.defaultRounds) {
        var generator = SystemRandomNumberGenerator()
        let salt = Data((0..<Self.saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
            .base64EncodedString()
        let key = PBKDF2.sha256(
            password: Array(password.utf8), salt: Array(salt.utf8), iterations: rounds, length: Self.keyLength)
        text = "PBKDF2$sha256$\(rounds)$\(salt)$\(Data(key).base64EncodedString())"
    }

    /// Whether `digest` (a file's `http_password`) is a digest of `password`; false for anything that is not a
    /// SHA-256 digest in Tautulli's form.
    public static func matches(_ password: String, digest: String) -> Bool {
        let parts = digest.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == "PBKDF2", parts[1] == "sha256", let rounds = Int(parts[2]),
            rounds > 0, rounds <= maximumRounds, let expected = Data(base64Encoded: parts[4]), !expected.isEmpty
        else { return false }
        let key = PBKDF2.sha256(
            password: Array(password.utf8), salt: Array(parts[3].utf8), iterations: rounds, length: expected.count)
        return zip(key, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
