import Foundation
import MediaStack
import MediaStackRendering

#if canImport(Glibc)
    import Glibc
#endif

/// Authelia's first user: `${CONFIG_ROOT}/authelia/users_database.yml` with an argon2id digest of a random password,
/// and that password once in `first-login.txt` beside it, both mode 0600 and outside the repository.
///
/// The digest comes from Authelia itself, through the pinned image (`authelia crypto hash generate argon2 --random`,
/// authelia/authelia internal/commands/crypto_hash.go prints `Random Password: …` and `Digest: …`), so the
/// project needs no argon2 implementation of its own and the password never appears on a command line.
public struct AutheliaUsers: Sendable {
    /// What `ensure` did.
    public enum Outcome: Hashable, Sendable {
        /// The users file was there already; nothing was touched.
        case kept(usersFile: String)
        /// A users file and the first-login note were written.
        case created(usersFile: String, firstLogin: String, user: String)
    }

    /// Why the first user could not be made; never carries the password.
    public enum Failure: Error, CustomStringConvertible {
        case hashCommand(status: Int32, stderr: String)
        case unexpectedOutput

        public var description: String {
            switch self {
            case .hashCommand(let status, let stderr):
                "`authelia crypto hash generate argon2` in the Authelia image failed (exit \(status)): "
                    + stderr.trimmingCharacters(in: .whitespacesAndNewlines).suffix(400)
                    + "; check that Docker can pull \(AutheliaUsers.image)"
            case .unexpectedOutput:
                "`authelia crypto hash generate argon2` printed no `Random Password:` and `Digest:` lines; the pinned"
                    + " image \(AutheliaUsers.image) may have changed its output"
            }
        }
    }

    static var image: String {
        Catalog.services.first { $0.name == FrontDoor.authenticator }?.image.description ?? "authelia/authelia"
    }

    public let stack: Stack
    public let runner: any ProcessRunning

    public init(stack: Stack, runner: any ProcessRunning = SubprocessRunner()) {
        self.stack = stack
        self.runner = runner
    }

    /// The Authelia folder on the host.
    public var folder: URL {
        URL(fileURLWithPath: stack.settings[.configRoot])
            .appendingPathComponent(FrontDoor.authenticator.rawValue)
    }

    /// The command that prints a random password and its argon2id digest (no network, nothing mounted).
    public var hashCommand: [String] {
        [
            "run", "--rm", "--network", "none", Self.image, "authelia", "crypto", "hash", "generate", "argon2",
            "--variant", "argon2id", "--random", "--random.length", "32", "--random.charset", "alphanumeric",
        ]
    }

    /// The password and digest from the command's output.
    static func parse(_ output: String) -> (password: String, digest: String)? {
        var password: String?
        var digest: String?
        for line in output.split(separator: "\n") {
            if line.hasPrefix("Random Password: ") { password = String(line.dropFirst("Random Password: ".count)) }
            if line.hasPrefix("Digest: ") { digest = String(line.dropFirst("Digest: ".count)) }
        }
        guard let password, let digest, !password.isEmpty, digest.hasPrefix("$argon2id$") else { return nil }
        return (password, digest)
    }

    /// The users file for one administrator in the group the access rules name.
    static func usersFile(user: String, digest: String, email: String) -> String {
        // Single-quoted YAML scalars: a digest holds `$`, `,` and `=`; a quote is doubled.
        func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        return """
            # Authelia's users (file backend), written by `mediaserver up`. Change a password with
            # `docker run --rm \(image) authelia crypto hash generate argon2` and paste the digest here.
            users:
              \(quoted(user)):
                disabled: false
                displayname: \(quoted(user))
                password: \(quoted(digest))
                email: \(quoted(email))
                groups:
                  - \(quoted(AutheliaRenderer.adminGroup))

            """
    }

    /// Writes the first user unless the users file exists (a user's own file is never replaced).
    public func ensure() async throws -> Outcome {
        let users = folder.appendingPathComponent("users_database.yml")
        if FileManager.default.fileExists(atPath: users.path) { return .kept(usersFile: users.path) }
        let output = try await runner.run("docker", hashCommand, timeout: 180)
        guard output.status == 0 else { throw Failure.hashCommand(status: output.status, stderr: output.standardError) }
        guard let (password, digest) = Self.parse(output.standardOutput) else { throw Failure.unexpectedOutput }
        let user = stack.settings[FrontDoor.adminUserKey].isEmpty ? "admin" : stack.settings[FrontDoor.adminUserKey]
        let domain = FrontDoor.domain(stack.settings) ?? "localhost"
        let email = stack.settings[.alertEmailTo].isEmpty ? "\(user)@\(domain)" : stack.settings[.alertEmailTo]
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let note = folder.appendingPathComponent("first-login.txt")
        try writePrivate(
            "Authelia's first login, made by `mediaserver up`. Sign in at https://"
                + "\(FrontDoor.portalHost(domain: domain)) as \(user) with the password below, register TOTP (the"
                + " link goes by e-mail, or to notification.txt in this folder), change the password, then delete"
                + " this file.\nuser: \(user)\npassword: \(password)\n",
            to: note)
        try writePrivate(Self.usersFile(user: user, digest: digest, email: email), to: users)
        return .created(usersFile: users.path, firstLogin: note.path, user: user)
    }

    /// Writes `text` to a temporary file created with mode 0600, owned by the apps' user (Authelia runs as
    /// PUID:PGID), then renames it into place.
    func writePrivate(_ text: String, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        guard
            FileManager.default.createFile(
                atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path]) }
        if geteuid() == 0, let uid = UInt32(stack.settings[.puid]),
            let gid = UInt32(stack.settings[.pgid])
        {
            _ = chown(temporary.path, uid, gid)
        }
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }
}
