import Testing
import TextSafety

/// One table, one escape per output (DESIGN.md section 3): every scalar of the table is
/// escaped by every output that does not carry it safely, and nothing else is touched.
@Suite("TextSafety: the one table and its escapes")
struct TextEscapesTests {
    /// Every scalar of the table, from its own ranges.
    static let table: [Unicode.Scalar] = (Array(0x00...0x1F) + Array(0x7F...0x9F) + [0x200E, 0x200F, 0x061C] + Array(0x202A...0x202E)
        + Array(0x2066...0x2069) + [0x2028, 0x2029]).compactMap(Unicode.Scalar.init)

    @Test("the table holds C0, DEL, C1, the bidi controls and the line and paragraph separators, and nothing printable")
    func table() {
        for scalar in Self.table { #expect(UnsafeScalars.contains(scalar), "U+\(String(scalar.value, radix: 16))") }
        for text in ["plain ASCII ~", "é 日本 😀", "\u{200B}", "\u{2030}", "\u{A0}"] {
            #expect(!UnsafeScalars.any(in: text), "\(text)")
        }
    }

    @Test("a cell escapes every scalar of the table, the familiar ones by their short names")
    func cell() {
        #expect(TextEscapes.cell("a\u{1B}[2Jb\n\r\t") == "a\\e[2Jb\\n\\r\\t")
        #expect(TextEscapes.cell("x\u{202E}y\u{9B}z\u{2028}") == "x\\u{202E}y\\u{9B}z\\u{2028}")
        for scalar in Self.table {
            #expect(!UnsafeScalars.any(in: TextEscapes.cell("<\(Character(scalar))>")), "U+\(String(scalar.value, radix: 16))")
        }
        #expect(TextEscapes.cell("日本 é") == "日本 é")
    }

    @Test("a file keeps tab and newline and escapes the rest")
    func file() {
        #expect(TextEscapes.file("a\tb\nc\u{1B}d\u{202E}") == "a\tb\nc\\u{1B}d\\u{202E}")
    }

    @Test("JSON: what an encoder leaves raw becomes \\uXXXX; its own whitespace stays")
    func json() {
        #expect(TextEscapes.json("{\"a\":\"x\u{9B}y\u{2029}\"}\n") == "{\"a\":\"x\\u009By\\u2029\"}\n")
    }

    @Test("a body goes into a shell command only with nothing of the table but tabs and newlines")
    func shell() {
        #expect(TextEscapes.isPlainForShell("{\"title\": \"a\tb\"}\n"))
        #expect(!TextEscapes.isPlainForShell("title\u{1B}]0;pwned\u{7}"))
        #expect(!TextEscapes.isPlainForShell("a\u{2028}b"))
    }
}
