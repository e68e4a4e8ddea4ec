/// Generates secrets from the system's cryptographic random source (`SystemRandomNumberGenerator`: getrandom(2)
/// on Linux).
public struct SecretGenerator: Sendable {
    public init() {}

    /// 32 lower-case hex characters: the format Sonarr, Radarr and Prowlarr use for API keys.
    public func apiKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    /// A passphrase of `length` characters from letters and digits (about 5.95 bits each; 40 → 238 bits), safe
    /// unquoted in `.env`, YAML and shell.
    public func passphrase(length: Int = 40) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
