import CNcurses
import Testing
@testable import Screen

#if canImport(Glibc)
    import Glibc
#endif

/// The frame must put every character where ncurses will: ncurses lays a row out one scalar
/// at a time with libc's wcwidth. These tests measure the frame's cells with wcwidth itself.
@Suite("Width: the frame, ncurses and the terminal agree")
struct TerminalWidthTests {
    /// libc's wcwidth in a UTF-8 locale, asked here directly rather than through the code under test.
    static func wcwidth(_ scalar: Unicode.Scalar) -> Int {
        guard let locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil) else { return -2 }
        defer { freelocale(locale) }
        let previous = uselocale(locale)
        defer { uselocale(previous) }
        return Int(mapitop_wcwidth(scalar.value))
    }

    /// The columns ncurses gives a row of the frame: the scalars of its cells, as the terminal
    /// class sends them, each measured by wcwidth.
    static func ncursesColumns(_ frame: Frame, row: Int) -> Int {
        (0..<frame.width).map { frame[$0, row] }.filter { !$0.isContinuation }
            .flatMap { ($0.text.isEmpty ? " " : $0.text).unicodeScalars }
            .reduce(0) { $0 + max(0, wcwidth($1)) }
    }

    static let samples: [String] = [
        "日本語 CJK", "emoji 🎬😀", "e\u{301} combining and a\u{308}\u{323} two marks", "ZWJ 👩‍💻 and 👨‍👩‍👧",
        "VS16 ❤️ ✔️ ☀️", "skin 👍🏽", "flag 🇺🇸🇫🇷", "keycap 1️⃣", "hangul 한국어 and jamo \u{1100}\u{1161}", "devanagari किताब",
        "thai ภาษาไทย", "unassigned \u{0378} here", "a new emoji 🫨 (Unicode 15)", "mixed 日本🎬e\u{301}👩‍💻❤️|end",
    ]

    @Test("every sample fills exactly the columns ncurses gives it, so what follows it stays put", arguments: samples)
    func agreesWithNcurses(sample: String) {
        var frame = Frame(width: 80, height: 1)
        let used = frame.write(sample + "|", x: 0, y: 0)
        #expect(used == DisplayWidth.of(sample) + 1)
        #expect(Self.ncursesColumns(frame, row: 0) == 80, "the frame holds \(used) columns, ncurses would lay out another number")
        // The marker after the sample sits where the frame says it does.
        #expect(frame[used - 1, 0].text == "|")
    }

    @Test("the table of bars, borders, arrows and shapes that LibcWidth asks once holds what wcwidth says of each")
    func commonGlyphTable() {
        let disagreeing = (0x2000..<0x2800).compactMap(Unicode.Scalar.init).filter { LibcWidth.of($0) != Self.wcwidth($0) }
        #expect(disagreeing.isEmpty, "\(disagreeing.prefix(5).map { String($0.value, radix: 16) })")
    }

    @Test("CJK and emoji take two cells; combining marks ride on their base in the same cell")
    func wideAndCombining() {
        #expect(DisplayWidth.cells(of: "日").map(\.width) == [2])
        #expect(DisplayWidth.cells(of: "🎬").map(\.width) == [2])
        #expect(DisplayWidth.cells(of: "e\u{301}") == [CellText(text: "e\u{301}", width: 1)])
        var frame = Frame(width: 6, height: 1)
        frame.write("e\u{301}日x", x: 0, y: 0)
        #expect(frame[0, 0].text == "e\u{301}")
        #expect(frame[1, 0].text == "日" && frame[2, 0].isContinuation)
        #expect(frame[3, 0].text == "x")
    }

    @Test("graphemes terminals disagree about are drawn in a form they all measure alike")
    func disputedGraphemes() {
        // A ZWJ sequence: its parts, side by side, without the joiner.
        #expect(DisplayWidth.cells(of: "👩‍💻").map(\.text) == ["👩", "💻"])
        #expect(DisplayWidth.of("👩‍💻") == 4)
        // Emoji presentation selector: the character in its text form, one column as wcwidth says.
        #expect(DisplayWidth.cells(of: "❤️") == [CellText(text: "❤", width: 1)])
        // Skin tone: the base emoji.
        #expect(DisplayWidth.cells(of: "👍🏽") == [CellText(text: "👍", width: 2)])
        // Flags: their letters.
        #expect(DisplayWidth.cells(of: "🇺🇸").map(\.text) == ["U", "S"])
        // A keycap keeps its enclosing mark on the digit.
        #expect(DisplayWidth.cells(of: "1️⃣") == [CellText(text: "1\u{20E3}", width: 1)])
        // What libc cannot print becomes a replacement character, one column.
        #expect(DisplayWidth.cells(of: "\u{0378}") == [CellText(text: "\u{FFFD}", width: 1)])
        // A mark with no base, or a lone zero width space: nothing to draw.
        #expect(DisplayWidth.cells(of: "\u{200B}").isEmpty)
    }

    @Test("a cell holds at most a base and four marks, as an ncurses cell does")
    func markLimit() {
        let zalgo: Character = "a\u{300}\u{301}\u{302}\u{303}\u{304}\u{305}"
        let cells = DisplayWidth.cells(of: zalgo)
        #expect(cells.count == 1 && cells[0].width == 1)
        #expect(cells[0].text.unicodeScalars.count == 5)
    }

    @Test("truncation and padding measure as the frame draws")
    func fitting() {
        #expect(TextFit.pad("👩‍💻", to: 6) == "👩‍💻  ")
        #expect(TextFit.truncate("❤️❤️❤️❤️", to: 3) == "❤️❤️…")
        var frame = Frame(width: 10, height: 1)
        frame.write(TextFit.pad("🇺🇸x", to: 5) + "|", x: 0, y: 0)
        #expect(frame.line(0) == "USx  |    ")
    }
}
