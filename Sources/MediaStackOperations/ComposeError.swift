import Foundation
import MediaStack

/// A Compose operation that did not succeed.
public enum ComposeError: Error, CustomStringConvertible, Sendable {
    case failed(ProcessOutput)
    case notReady(stack: StackID, services: [ContainerStatus])

    public var description: String {
        switch self {
        case .failed(let output):
            // Compose prints progress first; the reason is in the last lines.
            let lines = output.standardError.split(separator: "\n").suffix(4).joined(separator: "\n")
            return "`\(output.arguments.joined(separator: " "))` failed (exit \(output.status)):\n\(lines)"
        case .notReady(let stack, let services):
            let names = services.map { "\($0.service) (\($0.health.isEmpty ? $0.state : $0.health))" }
            return "\(stack.composeFile): not ready: \(names.joined(separator: ", "))"
        }
    }
}
