import Foundation

/// A configuration file the seeder cannot read or write: which file, where, and what to do.
public struct SeedError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int?
    public let message: String
    public let fix: String

    public init(file: String, line: Int? = nil, message: String, fix: String) {
        self.file = file
        self.line = line
        self.message = message
        self.fix = fix
    }

    public var description: String {
        "error: [seed-file] \(file)\(line.map { ":\($0)" } ?? ""): \(message)\n  fix: \(fix)"
    }
}
