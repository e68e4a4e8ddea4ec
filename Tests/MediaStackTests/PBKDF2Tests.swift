import Foundation
import MediaStackDigest
import MediaStackOperations
import Testing

/// PBKDF2-HMAC-SHA-256 against published vectors (RFC 7914 §11) and vectors from Python's `hashlib.pbkdf2_hmac`
/// (a key longer than SHA-256's block, a length that is not a whole number of blocks).
@Suite struct PBKDF2Tests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test(arguments: [
        (
            "passwd", "salt", 1, 64,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        ),
        (
            "Password", "NaCl", 80000, 64,
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"
        ),
        (
            String(repeating: "x", count: 100), "saltSALT", 2, 40,
            "b342d37af074a50551d9857ba20d9bdfd81e0cb5a65985f44b5a097da01d408426474d28772bc98b"
        ),
    ])
    func derivesTheKnownKeys(_ password: String, _ salt: String, _ rounds: Int, _ length: Int, _ expected: String) {
        let key = PBKDF2.sha256(
            password: Array(password.utf8), salt: Array(salt.utf8), iterations: rounds, length: length)
        #expect(Self.hex(key) == expected)
    }

    @Test func hashesAMessageOfSeveralBlocks() {
        #expect(
            Self.hex(SHA256.digest(Array(repeating: UInt8(ascii: "a"), count: 200)))
                == "c2a908d98f5df987ade41b5fce213067efbcc21ef2240212a41e54b5e7c28ae5")
    }

    @Test func aTautulliDigestHasItsFormAndMatchesOnlyItsPassword() {
        let digest = TautulliPasswordDigest(password: "correct horse", rounds: 1000).text
        let parts = digest.split(separator: "$").map(String.init)
        #expect(parts.count == 5 && parts[0] == "PBKDF2" && parts[1] == "sha256" && parts[2] == "1000")
        #expect(Data(base64Encoded: parts[3])?.count == 16 && Data(base64Encoded: parts[4])?.count == 24)
        #expect(TautulliPasswordDigest.matches("correct horse", digest: digest))
        #expect(!TautulliPasswordDigest.matches("correct horsf", digest: digest))
        #expect(TautulliPasswordDigest(password: "correct horse", rounds: 1000).text != digest)
        for broken in ["", "plain", "PBKDF2$sha1$1000$c2FsdA==$AAAA", "PBKDF2$sha256$0$c2FsdA==$AAAA"] {
            #expect(!TautulliPasswordDigest.matches("plain", digest: broken))
        }
    }

    @Test func theDefaultIsTautullisCostFactor() {
        #expect(TautulliPasswordDigest.defaultRounds == 600_000)
    }
}
