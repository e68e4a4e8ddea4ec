import MediaStack
import MediaStackRendering

/// Builds the text of a user's `.env` from the `.env.example` template, with chosen values filled in.
public struct EnvFileComposer: Sendable {
    public init() {}

    /// The template with `values` replacing the defaults of their keys; comments and order are kept.
    public func compose(values: [String: String], header: [String] = []) -> String {
        let template = EnvExampleRenderer().render().contents
        var lines: [String] = header.map { "# \($0)" }
        // The template's own opening comment speaks of .env.example; the caller's header replaces it.
        let body = template.split(separator: "\n", omittingEmptySubsequences: false).drop { !$0.isEmpty }
        for line in body {
            guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else {
                lines.append(String(line))
                continue
            }
            let key = String(line[..<equals])
            if let value = values[key] {
                // Written so that Compose reads back exactly this value (a `$` in a kept secret stays a `$`); an
                // empty one as the template writes it, so a second `init --force` finds the file unchanged.
                lines.append("\(key)=\(value.isEmpty ? "" : EnvFile.literal(value))")
            } else {
                lines.append(String(line))
            }
        }
        return lines.joined(separator: "\n")
    }
}
