import Foundation
import MediaStack
import MediaStackOperations
import MediaStackRendering
import TestKit
import Testing
import Yams

/// Authelia's first user, written by `mediaserver up`: the digest from the (here faked) Authelia CLI is a real
/// argon2id digest of the password in first-login.txt, both files are private, and an existing file is kept.
@Suite("Authelia's first user")
struct AutheliaUsersTests {
    /// Answers `docker run … authelia crypto hash generate argon2 --random …` like the image does, through
    /// scripts/fixtures/authelia_hash.py (argon2-cffi); any other command fails.
    struct HashCLI: ProcessRunning {
        let python: String
        let status: Int32

        func run(
            _ executable: String, _ arguments: [String], environment: [String: String]?, workingDirectory: String?,
            timeout: Int
        ) async throws -> ProcessOutput {
            guard executable == "docker", arguments.contains("crypto"), arguments.contains("--random"),
                let length = arguments.firstIndex(of: "--random.length").map({ arguments[$0 + 1] })
            else { return ProcessOutput(arguments: arguments, status: 127, standardOutput: "", standardError: "no") }
            if status != 0 {
                return ProcessOutput(
                    arguments: arguments, status: status, standardOutput: "Random Password: leaked\n",
                    standardError: "Unable to find image 'authelia/authelia:4.39.20' locally")
            }
            return try await IntegrationSupport.run(
                python, [Self.script, "generate", length], timeout: TestTime.process)
        }

        static let script = IntegrationSupport.repositoryRoot.appendingPathComponent(
            "scripts/fixtures/authelia_hash.py"
        ).path
    }

    static func python() -> String? {
        // The venv's python has argon2-cffi (scripts/install-test-tools).
        guard let python = IntegrationSupport.tool("python3") else { return nil }
        return python
    }

    static func stack(_ root: URL) throws -> Stack {
        Stack(
            settings: try Settings.parse(
                IntegrationSupport.exampleSettings(overriding: [
                    "DOMAIN": "media.test", "CONFIG_ROOT": root.path, "AUTHELIA_ADMIN_USER": "alice",
                ]), path: ".env"))
    }

    @Test func theFirstUserIsAPrivateArgon2idDigestOfTheNotedPassword() async throws {
        guard let python = Self.python() else { return }
        let root = try IntegrationSupport.scratchCheckout()
        let users = AutheliaUsers(stack: try Self.stack(root), runner: HashCLI(python: python, status: 0))
        let outcome = try await users.ensure()
        guard case .created(let usersPath, let notePath, let user) = outcome else {
            Issue.record("expected a new users file, got \(outcome)")
            return
        }
        #expect(user == "alice")
        #expect(usersPath == root.appendingPathComponent("authelia/users_database.yml").path)
        for path in [usersPath, notePath] {
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(path) has mode \(String(mode ?? 0, radix: 8))")
        }
        let document = try #require(
            try Yams.load(yaml: String(contentsOfFile: usersPath, encoding: .utf8)) as? [String: Any])
        let alice = try #require((document["users"] as? [String: Any])?["alice"] as? [String: Any])
        let digest = try #require(alice["password"] as? String)
        #expect(digest.hasPrefix("$argon2id$v=19$m=65536,t=3,p=4$"))
        #expect(alice["groups"] as? [String] == [AutheliaRenderer.adminGroup])
        let note = try String(contentsOfFile: notePath, encoding: .utf8)
        let password = try #require(
            note.split(separator: "\n").first { $0.hasPrefix("password: ") }.map { String($0.dropFirst(10)) })
        #expect(password.count == 32)
        #expect(!(try String(contentsOfFile: usersPath, encoding: .utf8)).contains(password))
        let verified = try await IntegrationSupport.run(python, [HashCLI.script, "verify", digest, password])
        #expect(verified.status == 0, "the digest does not verify the noted password: \(verified.standardError)")
        let wrong = try await IntegrationSupport.run(python, [HashCLI.script, "verify", digest, password + "x"])
        #expect(wrong.status == 1)

        // Authelia's published schema for the users file (docs/static/schemas/v4.39/json-schema/user-database.json
        // at v4.39.20): users, and each user's password digest and displayname, are required.
        if let checker = IntegrationSupport.tool("check-jsonschema") {
            let schema = root.appendingPathComponent("user-database.json")
            try Self.userDatabaseSchema.write(to: schema, atomically: true, encoding: .utf8)
            let checked = try await IntegrationSupport.run(
                checker, ["--regex-variant", "python", "--schemafile", schema.path, usersPath])
            #expect(checked.status == 0, "\(checked.standardOutput)\(checked.standardError)")
        }

        // A second run keeps the file (a changed password is never overwritten).
        let again = try await users.ensure()
        #expect(again == .kept(usersFile: usersPath))
        #expect(try String(contentsOfFile: usersPath, encoding: .utf8).contains(digest))
    }

    @Test func aFailedHashCommandSaysWhyAndLeaksNothing() async throws {
        guard let python = Self.python() else { return }
        let root = try IntegrationSupport.scratchCheckout()
        let users = AutheliaUsers(stack: try Self.stack(root), runner: HashCLI(python: python, status: 125))
        do {
            _ = try await users.ensure()
            Issue.record("a failed hash command must throw")
        } catch let failure as AutheliaUsers.Failure {
            #expect(failure.description.contains("Unable to find image"))
            #expect(!failure.description.contains("leaked"))
        }
        #expect(
            !FileManager.default.fileExists(atPath: root.appendingPathComponent("authelia/users_database.yml").path))
    }

    /// The parts of Authelia's user-database schema the file uses (the published schema's `required` lists and
    /// PasswordDigest pattern for argon2, with additionalProperties false as published).
    static let userDatabaseSchema = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "required": ["users"],
          "additionalProperties": false,
          "properties": {
            "users": {
              "type": "object",
              "patternProperties": {
                ".*": {
                  "type": "object",
                  "required": ["password", "displayname"],
                  "additionalProperties": false,
                  "properties": {
                    "password": {
                      "type": "string",
                      "pattern": "^\\$argon2(id|i|d)\\$v=19\\$m=\\d+,t=\\d+,p=\\d+\\$[a-zA-Z0-9\\/+]+\\$[a-zA-Z0-9\\/+]+$"
                    },
                    "displayname": {"type": "string"},
                    "email": {"type": "string"},
                    "disabled": {"type": "boolean"},
                    "groups": {"type": "array", "items": {"type": "string"}}
                  }
                }
              }
            }
          }
        }
        """#
}
