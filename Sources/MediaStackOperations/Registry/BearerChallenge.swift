import Foundation

/// The parameters of a `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` challenge.
///
/// The anonymous token flow of Docker Hub, ghcr.io and lscr.io (distribution/distribution v2.8.2
/// docs/spec/auth/token.md): the registry answers 401 with this challenge, the client asks `realm` for a token
/// with the `service` and `scope` it names, and repeats the request with `Authorization: Bearer <token>`.
public struct BearerChallenge: Hashable, Sendable {
    public let realm: String
    public let service: String?
    public let scope: String?

    /// Reads a `WWW-Authenticate` value; nil when it is not a Bearer challenge with a realm (e.g. `Basic`).
    public init?(header: String) {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bearer ") else { return nil }
        let parameters = Self.parameters(trimmed.dropFirst("bearer ".count))
        guard let realm = parameters["realm"], !realm.isEmpty else { return nil }
        self.realm = realm
        self.service = parameters["service"]
        self.scope = parameters["scope"]
    }

    /// `key="value"` pairs separated by commas; commas inside quotes (a scope of `pull,push`) stay in the value.
    static func parameters(_ text: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var rest = text[...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        value.append(character)
                    }
                }
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            result[key] = value
        }
        return result
    }
}
