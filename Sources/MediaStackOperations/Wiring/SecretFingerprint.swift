import Foundation
import MediaStackDigest

/// Tells whether a secret the wiring sent to an app has changed since, where the app answers it masked (SABnzbd's
/// server passwords): HMAC-SHA256 (RFC 2104, FIPS 180-4) of the secret, keyed with another secret of `.env`. The
/// record of owned objects keeps the fingerprint, never the secret; without the key, which stays in `.env`, the
/// fingerprint cannot be used to test guesses. SHA-256 is MediaStackDigest's (checked against the standard's test
/// vectors).
public enum SecretFingerprint {
    /// The fingerprint of `secret` under `key`, as 64 lower-case hex characters.
    public static func of(_ secret: String, key: String) -> String {
        hmacSHA256(key: Array(key.utf8), message: Array(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let blockSize = 64
        var block = key.count > blockSize ? sha256(key) : key
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        let inner = sha256(block.map { $0 ^ 0x36 } + message)
        return sha256(block.map { $0 ^ 0x5c } + inner)
    }

    /// SHA-256 of `message`, by the package's one implementation (MediaStackDigest, which Tautulli's password digest
    /// uses too).
    public static func sha256(_ message: [UInt8]) -> [UInt8] { SHA256.digest(message) }
}
