/// One file the renderer produces, relative to the repository root.
public struct RenderedFile: Hashable, Sendable {
    public let path: String
    public let contents: String
    /// Whether the file is a script that must be executable.
    public let executable: Bool

    public init(path: String, contents: String, executable: Bool = false) {
        self.path = path
        self.contents = contents
        self.executable = executable
    }
}
