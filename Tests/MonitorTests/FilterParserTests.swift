import Foundation
import ManagementAPI
import Testing
@testable import Monitor

@Suite("The filter language")
struct FilterParserTests {
    /// (text, key, value, negated) of the single term parsed.
    static let singles: [(String, Filter.Key, String, Bool)] = [
        ("token:ingest", .token, "ingest", false),
        ("token:#1a2b", .token, "#1a2b", false),
        ("code:too_long", .code, "too_long", false),
        ("status:429", .status, "429", false),
        ("status:4XX", .status, "4xx", false),
        ("status:transport", .status, "transport", false),
        ("field:metadata.title", .field, "metadata.title", false),
        ("method:post", .method, "post", false),
        ("path:/media", .path, "/media", false),
        ("timeout", .text, "timeout", false),
        ("!code:too_long", .code, "too_long", true),
        ("\"two words\"", .text, "two words", false),
        ("path:\"/a b\"", .path, "/a b", false),
        ("\"say \\\"hi\\\" \\\\ now\"", .text, "say \"hi\" \\ now", false),
        ("!\"gateway timeout\"", .text, "gateway timeout", true),
        ("TOKEN:ingest", .token, "ingest", false),
    ]

    @Test("every key, quoting and negation", arguments: singles)
    func single(text: String, key: Filter.Key, value: String, negated: Bool) throws {
        let filter = try Filter(parsing: text)
        #expect(filter.terms.count == 1)
        #expect(filter.terms.first?.key == key)
        #expect(filter.terms.first?.value == value)
        #expect(filter.terms.first?.negated == negated)
        // The canonical text parses back to the same terms.
        #expect(try Filter(parsing: filter.description).terms == filter.terms)
    }

    @Test("spaces separate terms; empty input is the empty filter")
    func spacing() throws {
        #expect(try Filter(parsing: "  token:a   code:b ").terms.map(\.value) == ["a", "b"])
        #expect(try Filter(parsing: "").isEmpty)
        #expect(try Filter(parsing: "   ").isEmpty)
    }

    /// (text, column, the start of the message)
    static let malformed: [(String, Int, String)] = [
        ("code:", 6, "'code:' needs a value"),
        ("token:", 7, "'token:' needs a value"),
        ("status:", 8, "'status:' needs a value"),
        ("field:", 7, "'field:' needs a value"),
        ("method:", 8, "'method:' needs a value"),
        ("foo:bar", 1, "unknown key 'foo'"),
        ("code:x http://host", 8, "unknown key 'http'"),
        (":value", 1, "a key is missing before ':'"),
        ("\"unterminated", 1, "unterminated quote"),
        ("path:\"abc", 6, "unterminated quote"),
        ("!", 1, "'!' must be followed by a term"),
        ("! code:x", 1, "'!' must be followed by a term"),
        ("!!code:x", 2, "'!' twice"),
        ("status:abc", 8, "status must be a code from 100 to 599"),
        ("status:6xx", 8, "status must be a code from 100 to 599"),
        ("status:99", 8, "status must be a code from 100 to 599"),
        ("status:4x", 8, "status must be a code from 100 to 599"),
        ("method:P0ST", 8, "a method is letters only"),
        ("code:Too-Long", 6, "a code is lowercase letters"),
        ("token:#xyz", 7, "a fingerprint is '#' and up to 8 hex digits"),
        ("token:#", 7, "a fingerprint is '#' and up to 8 hex digits"),
        ("code:a\"b", 7, "unexpected '\"' inside a value"),
        ("wo\"rd", 3, "unexpected '\"' inside a word"),
        ("\"a\"b", 4, "expected a space after the closing quote"),
        ("\"\\q\"", 2, "unknown escape '\\q'"),
    ]

    @Test("malformed filters say where and what was expected", arguments: malformed)
    func malformedFilter(text: String, column: Int, message: String) {
        #expect {
            try Filter(parsing: text)
        } throws: { error in
            guard let error = error as? FilterError else { return false }
            return error.column == column && error.message.hasPrefix(message)
        }
    }

    static let occurrence = Occurrence(
        id: 1, record: Records.badRequest(at: 0, codes: ["too_long", "required"], method: "POST"))

    /// (filter, matches the 400 from ingest with too_long + required)
    static let matching: [(String, Bool)] = [
        ("token:ing", true), ("token:INGEST", true), ("token:cms", false), ("token:ingest token:cms", true),
        ("token:#" + String(Records.ingest.fingerprint.hex.prefix(6)), true), ("token:#00000000", false),
        ("code:too_long", true), ("code:required", true), ("code:empty", false), ("code:empty code:required", true),
        ("status:400", true), ("status:4xx", true), ("status:5xx", false), ("status:429 status:400", true),
        ("field:metadata.title", true), ("field:metadata", true), ("field:meta", false), ("field:upload.method", true),
        ("method:post", true), ("method:GET", false), ("path:/media", true), ("path:/webhooks", false),
        ("shorter", true), ("SHORTER than", true), ("shorter nothing", false), ("Abcd1234", true),
        ("!code:too_long", false), ("!token:cms", true), ("!status:4xx", false), ("token:ingest !code:empty", true),
        ("token:ingest code:empty", false),
    ]

    @Test("matching occurrences: keys AND, the same key OR, bare words AND", arguments: matching)
    func matches(text: String, expected: Bool) throws {
        #expect(try Filter(parsing: text).matches(Self.occurrence) == expected)
    }

    @Test("token rows pass on token terms only")
    func tokenRows() throws {
        #expect(try Filter(parsing: "code:too_long").matches(token: Records.cms))
        #expect(try !Filter(parsing: "token:ingest").matches(token: Records.cms))
        #expect(try !Filter(parsing: "!token:cms").matches(token: Records.cms))
        #expect(try Filter(parsing: "token:#" + Records.stranger.fingerprint.hex).matches(token: Records.stranger))
        #expect(try !Filter(parsing: "token:ingest").matches(token: Records.stranger))
    }
}
