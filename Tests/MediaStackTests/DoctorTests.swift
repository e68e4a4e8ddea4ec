import Foundation
import MediaStack
import MediaStackChecks
import Testing

@testable import MediaStackOperations

/// Doctor checks that need no host: what the shell that runs Compose does to the settings file.
@Suite struct DoctorTests {
    static let env = """
        PUID=1000
        SONARR_PORT=18989
        BORG_PASSPHRASE=correct-horse-battery-staple
        TZ=Etc/UTC

        """

    static func findings(_ environment: [String: String]) throws -> [Finding] {
        let stack = Stack(settings: try TestSupport.settings(Self.env))
        return Doctor(stack: stack, environment: environment).shellOverrides()
    }

    @Test func aShellVariableThatOverridesTheFileIsNamedWithoutItsValue() throws {
        // SONARR_PORT is written into compose.yml at render, so the shell cannot override it: no finding for it.
        let findings = try Self.findings([
            "SONARR_PORT": "28989", "BORG_PASSPHRASE": "shell-secret-value-0123", "TZ": "Etc/UTC", "PATH": "/usr/bin",
            "RADARR_PORT": "17878",
        ])
        #expect(findings.map(\.id) == [.shellOverridesEnv, .shellOverridesEnv])
        #expect(findings.map(\.subject) == ["BORG_PASSPHRASE", "TZ"], "keys the file sets, in its order")
        let passphrase = try #require(findings.first)
        #expect(passphrase.severity == .warning)
        #expect(
            passphrase.message.contains(".env:3") && passphrase.message.contains("differs"), "\(passphrase.message)")
        #expect(passphrase.fix.contains("unset BORG_PASSPHRASE"))
        #expect(findings[1].message.contains("equal to the file's now"), "\(findings[1].message)")
        let text = findings.map(\.description).joined(separator: "\n")
        for value in ["28989", "18989", "shell-secret-value-0123", "correct-horse-battery-staple"] {
            #expect(!text.contains(value), "a value was printed: \(value)")
        }
    }

    @Test func aShellWithoutTheFilesKeysSaysNothing() throws {
        #expect(try Self.findings(["PATH": "/usr/bin", "HOME": "/root", "RADARR_PORT": "17878"]).isEmpty)
    }
}
