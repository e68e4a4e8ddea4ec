import Foundation
import MediaStackOperations
import Testing

@Suite struct ConfigObjDocumentTests {
    @Test func readsValuesListsAndQuotesAsConfigObjDoes() throws {
        let text = """
            __version__ = 19
            [misc]
            api_key = "abc"  # quoted, with a comment
            host_whitelist = sabnzbd, nas ,
            one = solo,
            empty =
            path = /data/a b # comment
            quoted = "a, b"
            [categories]
            [[tv]]
            dir = tv
            """
        let document = try ConfigObjDocument(text, path: "sabnzbd.ini")
        #expect(document.value("__version__", in: []) == .single("19"))
        #expect(document.value("api_key", in: ["misc"]) == .single("abc"))
        #expect(document.value("host_whitelist", in: ["misc"]) == .list(["sabnzbd", "nas"]))
        #expect(document.value("one", in: ["misc"]) == .list(["solo"]))
        #expect(document.value("empty", in: ["misc"])?.isEmpty == true)
        #expect(document.value("path", in: ["misc"]) == .single("/data/a b"))
        #expect(document.value("quoted", in: ["misc"]) == .single("a, b"))
        #expect(document.value("dir", in: ["categories", "tv"]) == .single("tv"))
        #expect(document.value("dir", in: ["categories"]) == nil)
        #expect(document.text == text + "\n")
    }

    @Test func insertsAfterTheSectionsLastKeyAndKeepsEverythingElse() throws {
        let text = """
            # my settings
            [misc]
            port = 8080   # keep this comment

            [categories]
            [[movies]]
            dir = films
            [servers]
            """
        var document = try ConfigObjDocument(text, path: "sabnzbd.ini")
        document.set("api_key", .single("k"), in: ["misc"])
        document.set("dir", .single("tv"), in: ["categories", "tv"])
        document.set("api_key", .single("t"), in: ["General"])
        document.set("host_whitelist", .list(["sabnzbd"]), in: ["misc"])
        #expect(
            document.text == """
                # my settings
                [misc]
                port = 8080   # keep this comment
                api_key = k
                host_whitelist = sabnzbd,

                [categories]
                [[movies]]
                dir = films
                [[tv]]
                dir = tv
                [servers]
                [General]
                api_key = t

                """)
        // What we wrote reads back as the same values.
        let reread = try ConfigObjDocument(document.text, path: "sabnzbd.ini")
        #expect(reread.value("host_whitelist", in: ["misc"]) == .list(["sabnzbd"]))
        #expect(reread.value("dir", in: ["categories", "tv"]) == .single("tv"))
    }

    @Test func replacesAKeyInPlace() throws {
        var document = try ConfigObjDocument("[misc]\nhost_whitelist = a\nport = 1\n", path: "x.ini")
        document.set("host_whitelist", .list(["a", "b,c"]), in: ["misc"])
        #expect(document.text == "[misc]\nhost_whitelist = a, \"b,c\"\nport = 1\n")
    }

    @Test func keepsATripleQuotedValueWhole() throws {
        let text = "[misc]\nnote = \"\"\"line one\nline two\"\"\"\nport = 1\n"
        var document = try ConfigObjDocument(text, path: "x.ini")
        #expect(document.value("note", in: ["misc"]) == .single("line one\nline two"))
        document.set("api_key", .single("k"), in: ["misc"])
        #expect(document.text == text + "api_key = k\n")
    }

    @Test(arguments: [
        ("[misc]\nthis is not a key\n", 2, "neither a comment"),
        ("[misc]\n[[[deep]]]\n", 2, "nested more than one level"),
        ("[misc\n", 1, "not a valid section marker"),
        ("[misc]\napi_key = 1\napi_key = 2\n", 3, "sets api_key twice"),
        ("[misc]\n[misc]\n", 2, "appears twice"),
        ("[misc]\nnote = \"\"\"never closed\n", 2, "never ends"),
        ("[misc]\nkey = \"open\n", 2, "unbalanced quotes"),
    ])
    func refusesWhatConfigObjRefusesNamingTheLine(text: String, line: Int, message: String) {
        #expect {
            _ = try ConfigObjDocument(text, path: "sabnzbd.ini")
        } throws: { error in
            guard let error = error as? SeedError else { return false }
            return error.file == "sabnzbd.ini" && error.line == line && error.message.contains(message)
                && !error.fix.isEmpty
        }
    }
}
