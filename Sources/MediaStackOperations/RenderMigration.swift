import Foundation
import MediaStackRendering

/// Moves the render of a user's settings from a checkout's root into `deploy/`, and puts the committed render of
/// `.env.example` back at the root, so `git pull` meets no local change.
///
/// Plans everything first and writes nothing when the plan cannot be made. A root file that differs from what
/// `mediaserver render` last wrote there (a hand edit) is carried to `deploy/` as it is, where `render` keeps it
/// and names it until `--force`; every other file of the user's render is rendered afresh into `deploy/`.
public struct RenderMigration: Sendable {
    /// What happens to one path.
    public struct Step: Sendable, Codable, Hashable {
        public enum Action: String, Sendable, Codable, Hashable {
            /// The user's render of this file is now in `deploy/`; the root holds the committed render again.
            case moved
            /// A hand-edited root file, copied to `deploy/` unchanged; the root holds the committed render again.
            case movedHandEdit = "moved-hand-edit"
            /// Already the committed render at the root; `deploy/` gets the user's render.
            case rendered
        }

        public let path: String
        public let action: Action
    }

    public let checkout: URL
    public let deployment: URL

    public init(checkout: URL, deployment: URL) {
        self.checkout = checkout
        self.deployment = deployment
    }

    /// Compares the root with both renders.
    public func plan(user: [RenderedFile], committed: [RenderedFile]) -> [Step] {
        let manifest = RenderWriter(root: checkout).readManifest()
        let committedByPath = Dictionary(uniqueKeysWithValues: committed.map { ($0.path, $0.contents) })
        return user.map { file in
            guard let data = FileManager.default.contents(atPath: checkout.appendingPathComponent(file.path).path)
            else { return Step(path: file.path, action: .rendered) }
            let current = String(decoding: data, as: UTF8.self)
            if current == committedByPath[file.path] { return Step(path: file.path, action: .rendered) }
            if current == file.contents || manifest[file.path] == RenderWriter.hash(current) {
                return Step(path: file.path, action: .moved)
            }
            return Step(path: file.path, action: .movedHandEdit)
        }
    }

    /// Writes `deploy/` first (hand edits as they are, then the user's render around them), then the committed
    /// render at the root; the root is untouched if writing `deploy/` fails.
    public func apply(_ steps: [Step], user: [RenderedFile], committed: [RenderedFile]) throws {
        for step in steps where step.action == .movedHandEdit {
            let target = deployment.appendingPathComponent(step.path)
            guard !FileManager.default.fileExists(atPath: target.path),
                let data = FileManager.default.contents(atPath: checkout.appendingPathComponent(step.path).path)
            else { continue }
            let executable = FileManager.default.isExecutableFile(
                atPath: checkout.appendingPathComponent(step.path).path)
            try RenderWriter.atomicWrite(String(decoding: data, as: UTF8.self), to: target, executable: executable)
        }
        let deployWriter = RenderWriter(root: deployment)
        try deployWriter.apply(user, deployWriter.plan(user))
        let rootWriter = RenderWriter(root: checkout)
        try rootWriter.apply(committed, rootWriter.plan(committed, force: true))
    }
}
