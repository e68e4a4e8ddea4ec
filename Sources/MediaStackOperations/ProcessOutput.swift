import Foundation

/// The outcome of a finished process.
public struct ProcessOutput: Sendable, Hashable {
    public let arguments: [String]
    public let status: Int32
    public let standardOutput: String
    public let standardError: String

    public init(arguments: [String], status: Int32, standardOutput: String, standardError: String) {
        self.arguments = arguments
        self.status = status
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    public var succeeded: Bool { status == 0 }
}
