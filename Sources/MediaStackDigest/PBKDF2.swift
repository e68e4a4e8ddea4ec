/// PBKDF2 with HMAC-SHA-256 (RFC 8018 §5.2, HMAC per RFC 2104, SHA-256 per FIPS 180-4), for the password digests
/// an app keeps in its own configuration file (Tautulli's `http_password`).
///
/// The package has no cryptography dependency and Foundation on Linux offers no hash; this small implementation,
/// checked against published test vectors and Python's `hashlib.pbkdf2_hmac`, avoids adding one for one digest.
/// The rounds work on words in place: hundreds of thousands of them must take well under a second.
public enum PBKDF2 {
    /// The derived key of `password` and `salt` after `iterations` rounds, `length` bytes long.
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8] {
        var key = password.count > SHA256.blockSize ? SHA256.digest(password) : password
        key += [UInt8](repeating: 0, count: SHA256.blockSize - key.count)
        let inner = SHA256.state(after: key.map { $0 ^ 0x36 })
        let outer = SHA256.state(after: key.map { $0 ^ 0x5c })
        var output: [UInt8] = []
        var blockIndex: UInt32 = 1
        while output.count < length {
            // U1 = HMAC(P, S || INT(i)): a message of any length, through the general path.
            var first = SHA256(state: inner, length: UInt64(SHA256.blockSize))
            first.update(salt + SHA256.bytes(of: [blockIndex]))
            var outerHash = SHA256(state: outer, length: UInt64(SHA256.blockSize))
            outerHash.update(first.finish())
            let u = SHA256.words(of: outerHash.finish())
            // U2 … Uc: HMAC of the previous 32-byte U, each one inner and one outer compression of a single
            // padded block (64 key bytes + 32 message bytes = 768 bits), in one scratch buffer without allocations.
            let t = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 112) { buffer -> [UInt32] in
                guard let base = buffer.baseAddress else { return [] }
                let (innerState, outerState, block, w, t) = (base, base + 8, base + 16, base + 32, base + 96)
                let digest = base + 104
                for index in 0..<8 {
                    innerState[index] = inner[index]
                    outerState[index] = outer[index]
                    t[index] = u[index]
                    block[index] = u[index]
                }
                for index in 8..<16 { block[index] = 0 }
                block[8] = 0x8000_0000
                block[15] = 768
                SHA256.k.withUnsafeBufferPointer { constants in
                    guard let k = constants.baseAddress else { return }
                    for _ in 1..<max(iterations, 1) {
                        SHA256.compress(innerState, block, w, k, into: digest)
                        for index in 0..<8 { block[index] = digest[index] }
                        SHA256.compress(outerState, block, w, k, into: digest)
                        for index in 0..<8 {
                            block[index] = digest[index]
                            t[index] ^= digest[index]
                        }
                    }
                }
                return Array(UnsafeBufferPointer(start: t, count: 8))
            }
            output += SHA256.bytes(of: t)
            blockIndex += 1
        }
        return Array(output.prefix(length))
    }
}

/// SHA-256 (FIPS 180-4).
public struct SHA256 {
    static let blockSize = 64
    static let initial: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    private var state: [UInt32]
    private var pending: [UInt8] = []
    private var length: UInt64

    init() { self.init(state: Self.initial, length: 0) }

    /// Resumes after `length` bytes that left `state` (a whole number of blocks).
    init(state: [UInt32], length: UInt64) {
        self.state = state
        self.length = length
    }

    public static func digest(_ message: [UInt8]) -> [UInt8] {
        var hash = SHA256()
        hash.update(message)
        return hash.finish()
    }

    /// The state after one block from the start, e.g. an HMAC key XORed with its pad.
    static func state(after block: [UInt8]) -> [UInt32] { compress(initial, words(of: block)) }

    mutating func update(_ bytes: [UInt8]) {
        length &+= UInt64(bytes.count)
        pending += bytes
        var start = 0
        while pending.count - start >= Self.blockSize {
            state = Self.compress(state, Self.words(of: Array(pending[start..<start + Self.blockSize])))
            start += Self.blockSize
        }
        pending.removeFirst(start)
    }

    /// The digest; the padding is a 1 bit, zeros, and the message length in bits, big-endian.
    mutating func finish() -> [UInt8] {
        let bits = length &* 8
        var tail = pending + [0x80]
        while tail.count % Self.blockSize != 56 { tail.append(0) }
        tail += (0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64($0))) }
        for start in stride(from: 0, to: tail.count, by: Self.blockSize) {
            state = Self.compress(state, Self.words(of: Array(tail[start..<start + Self.blockSize])))
        }
        pending = []
        return Self.bytes(of: state)
    }

    static func words(of bytes: [UInt8]) -> [UInt32] {
        stride(from: 0, to: bytes.count, by: 4).map { (offset: Int) -> UInt32 in
            var word: UInt32 = 0
            for byte in bytes[offset..<offset + 4] { word = word << 8 | UInt32(byte) }
            return word
        }
    }

    static func bytes(of words: [UInt32]) -> [UInt8] {
        words.flatMap { (word: UInt32) -> [UInt8] in
            [
                UInt8(truncatingIfNeeded: word >> 24), UInt8(truncatingIfNeeded: word >> 16),
                UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word),
            ]
        }
    }

    /// One compression of a 16-word block into `state`.
    static func compress(_ state: [UInt32], _ block: [UInt32]) -> [UInt32] {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 96) { buffer -> [UInt32] in
            guard let base = buffer.baseAddress else { return state }
            for index in 0..<8 { base[index] = state[index] }
            for index in 0..<16 { base[8 + index] = block[index] }
            k.withUnsafeBufferPointer { constants in
                guard let k = constants.baseAddress else { return }
                compress(base, base + 8, base + 24, k, into: base + 88)
            }
            return Array(UnsafeBufferPointer(start: base + 88, count: 8))
        }
    }

    /// One compression: `state` (8 words) and `block` (16 words) into `out` (8 words), with `w` (64 words) as
    /// scratch.
    static func compress(
        _ state: UnsafePointer<UInt32>, _ block: UnsafePointer<UInt32>, _ w: UnsafeMutablePointer<UInt32>,
        _ k: UnsafePointer<UInt32>, into out: UnsafeMutablePointer<UInt32>
    ) {
        for index in 0..<16 { w[index] = block[index] }
        for index in 16..<64 {
            let x = w[index - 15]
            let y = w[index - 2]
            let s0 = (x >> 7 | x << 25) ^ (x >> 18 | x << 14) ^ (x >> 3)
            let s1 = (y >> 17 | y << 15) ^ (y >> 19 | y << 13) ^ (y >> 10)
            w[index] = w[index - 16] &+ s0 &+ w[index - 7] &+ s1
        }
        var a = state[0]
        var b = state[1]
        var c = state[2]
        var d = state[3]
        var e = state[4]
        var f = state[5]
        var g = state[6]
        var h = state[7]
        for index in 0..<64 {
            let s1 = (e >> 6 | e << 26) ^ (e >> 11 | e << 21) ^ (e >> 25 | e << 7)
            let t1 = h &+ s1 &+ ((e & f) ^ (~e & g)) &+ k[index] &+ w[index]
            let s0 = (a >> 2 | a << 30) ^ (a >> 13 | a << 19) ^ (a >> 22 | a << 10)
            let t2 = s0 &+ ((a & b) ^ (a & c) ^ (b & c))
            h = g
            g = f
            f = e
            e = d &+ t1
            d = c
            c = b
            b = a
            a = t1 &+ t2
        }
        out[0] = state[0] &+ a
        out[1] = state[1] &+ b
        out[2] = state[2] &+ c
        out[3] = state[3] &+ d
        out[4] = state[4] &+ e
        out[5] = state[5] &+ f
        out[6] = state[6] &+ g
        out[7] = state[7] &+ h
    }
}
