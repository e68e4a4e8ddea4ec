import MediaStack
import MediaStackChecks
import Testing

@Suite("Settings")
struct SettingsTests {
    struct BadCase: Sendable, CustomTestStringConvertible {
        let name: String
        let line: String
        let expectedMessage: String
        let expectedFix: String
        var testDescription: String { name }
    }

    static let badCases: [BadCase] = [
        BadCase(
            name: "malformed line", line: "this is not a setting", expectedMessage: "not KEY=value",
            expectedFix: "KEY=value"),
        BadCase(
            name: "non-numeric PUID", line: "PUID=abc", expectedMessage: "not a numeric id", expectedFix: "id -u"),
        BadCase(
            name: "port out of range", line: "SONARR_PORT=70000", expectedMessage: "not a port number",
            expectedFix: "free port"),
        BadCase(
            name: "relative path", line: "CONFIG_ROOT=opt/mediaserver", expectedMessage: "relative path",
            expectedFix: "absolute path"),
        BadCase(
            name: "unknown service", line: "DISABLED_SERVICES=plex,emby", expectedMessage: "unknown service 'emby'",
            expectedFix: "jellyfin"),
        BadCase(
            name: "unterminated quote", line: "TZ=\"Europe/Berlin", expectedMessage: "never closed",
            expectedFix: "close the quote"),
        BadCase(name: "bad UMASK", line: "UMASK=999", expectedMessage: "octal", expectedFix: "002"),
        BadCase(
            name: "every interface", line: "LAN_IP=0.0.0.0", expectedMessage: "every interface",
            expectedFix: "LAN address"),
        BadCase(
            name: "bad key", line: "1PUID=1000", expectedMessage: "not a valid variable name", expectedFix: "letters"),
        BadCase(
            name: "login rule in the wrong case", line: "ARR_AUTH_REQUIRED=enabled",
            expectedMessage: "not one of DisabledForLocalAddresses, Enabled",
            expectedFix: "ARR_AUTH_REQUIRED=DisabledForLocalAddresses"),
    ]

    @Test("a bad line names the file, the line and the fix", arguments: badCases)
    func badSetting(_ bad: BadCase) {
        let text = "# my settings\nGRAFANA_ADMIN_USER=admin\n\(bad.line)\nTZ=Etc/UTC\n"
        do {
            _ = try Settings.parse(text, path: "/srv/.env")
            Issue.record("\(bad.name) was accepted")
        } catch {
            #expect(error.issues.count == 1, "\(error.issues)")
            let issue = error.issues[0]
            #expect(issue.file == "/srv/.env")
            #expect(issue.line == 3)
            #expect(issue.message.contains(bad.expectedMessage), "\(issue.message)")
            #expect(issue.fix.contains(bad.expectedFix), "\(issue.fix)")
            #expect(issue.description.hasPrefix("error: [invalid-setting] /srv/.env:3: "))
            let finding = Finding(
                .error, .invalidSetting, subject: issue.location, message: issue.message, fix: issue.fix)
            #expect(issue.description == finding.description, "one diagnostic format for settings and findings")
        }
    }

    @Test func aDuplicateKeyNamesBothLines() {
        do {
            _ = try EnvFile.parse("PUID=1000\nPGID=1000\nPUID=1001\n", path: ".env")
            Issue.record("a duplicate key was accepted")
        } catch {
            #expect(error.issues.map(\.line) == [3])
            #expect(error.issues[0].message.contains("set twice (first on line 1)"))
        }
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() {
        do {
            _ = try Settings.parse("PUID=x\nPGID=y\nnonsense\n", path: ".env")
            Issue.record("accepted")
        } catch {
            #expect(error.issues.map(\.line) == [1, 2, 3])
        }
    }

    @Test func dotenvQuotingAndComments() throws {
        let file = try EnvFile.parse(
            """
            # comment
            A=plain value # trailing comment
            B="0 0 4 * * *"
            C='single # not a comment'
            D="escaped \\"quote\\""
            E=
            """, path: ".env")
        #expect(file["A"] == "plain value")
        #expect(file["B"] == "0 0 4 * * *")
        #expect(file["C"] == "single # not a comment")
        #expect(file["D"] == "escaped \"quote\"")
        #expect(file["E"] == "")
    }

    @Test func defaultsFillWhatTheFileLeavesOut() throws {
        let settings = try TestSupport.settings("PUID=1234\n")
        #expect(settings["PUID"] == "1234")
        #expect(settings["CONFIG_ROOT"] == "/opt/mediaserver")
        #expect(!settings.isDefinedInFile("CONFIG_ROOT"))
    }

    @Test func disabledServicesAreParsed() throws {
        let settings = try TestSupport.settings("DISABLED_SERVICES= plex , tautulli,overseerr\n")
        #expect(settings.disabledServices == ["plex", "tautulli", "overseerr"])
    }

    static let secretLines: [String] = [
        "BORG_PASSPHRASE topsecret42",
        "BORG_PASSPHRASE=\"ab\"topsecret42",
        "BORG_PASSPHRASE=topsecret42${HOME}",
        "BORG_PASSPHRASE=topsecret42$cd",
        "BORG_PASSPHRASE='topsecret42",
        "BORG_PASSPHRASE=\"topsecret42${\"",
        "BORG_PASSPHRASE=topsecret42${UNSET:?topsecret42}",
        "BORG_PASSPHRASE=\"topsecret42\\0001\"",
        "BORG_PASSPHRASE\u{0}=topsecret42",
        "BORG-PASSPHRASE=topsecret42",
        "export BORG_PASSPHRASE topsecret42 x",
    ]

    @Test("a malformed secret line names its line, never its value", arguments: secretLines)
    func aSecretIsNeverEchoed(_ line: String) {
        let text = "PUID=1000\n\(line)\nPGID=1000\n"
        do {
            _ = try Settings.parse(text, path: ".env", environment: ["HOME": "/root"])
            Issue.record("accepted: \(line)")
        } catch {
            #expect(!error.issues.isEmpty)
            for issue in error.issues {
                #expect(issue.line == 2, "\(issue)")
                #expect(!issue.description.contains("topsecret42"), "\(issue.description)")
            }
        }
    }

    @Test func valuesFollowComposeInterpolationAndRecordTheirReferences() throws {
        let file = try EnvFile.parse(
            "A=1\nB=${A}-$A\nC='$A'\nD=$$A\nE=${UNSET:-x${A}}\nF=\"\\$A\"\n", path: ".env",
            environment: ["A": "env wins"])
        #expect(file["B"] == "env wins-env wins" && file.entries[1].references == ["A", "A"])
        #expect(file["C"] == "$A" && file.entries[2].references.isEmpty)
        #expect(file["D"] == "$A" && file.entries[3].references.isEmpty)
        #expect(file["E"] == "xenv wins")
        #expect(file["F"] == "$A")
    }

    @Test func lineNumbersSurviveCRLFAndValuesSpanningLines() throws {
        let file = try EnvFile.parse("A=1\r\n\r\nB=\"two\nlines\"\r\nC='x'\r\n", path: ".env")
        #expect(file.entries.map(\.line) == [1, 3, 5])
        #expect(file["A"] == "1" && file["B"] == "two\nlines" && file["C"] == "x")
    }

    @Test func aHundredThousandProblemsAreCappedWithACount() {
        let text = String(repeating: "not a setting\n", count: 100_000)
        do {
            _ = try Settings.parse(text, path: ".env")
            Issue.record("accepted")
        } catch {
            #expect(error.issues.count == SettingsError.limit + 1)
            #expect(error.issues.last?.message == "\(100_000 - SettingsError.limit) more problems are not shown")
        }
    }

    @Test(arguments: ["192.168.1.10", "::1", "fe80::1", "2001:db8::8a2e:370:7334", "::ffff:192.0.2.1"])
    func validAddresses(_ address: String) { #expect(Settings.problems(of: address, for: "LAN_IP").isEmpty) }

    @Test(arguments: [":::::", "1.2.3", "256.1.1.1", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "+1.2.3.4", ""])
    func invalidAddresses(_ address: String) { #expect(!Settings.problems(of: address, for: "LAN_IP").isEmpty) }
}
