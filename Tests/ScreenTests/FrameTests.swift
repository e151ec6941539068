import Testing
@testable import Screen

@Suite("Frames: width, clipping, wide characters and the sanitizer")
struct FrameTests {
    @Test("display width as ncurses lays it out: wide CJK and emoji take two cells, combining marks none")
    func widths() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("日本語") == 6)
        #expect(DisplayWidth.of("🎬") == 2)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.of("\u{200B}") == 0)
    }

    @Test("writing clips at the edge and never splits a wide character")
    func clipping() {
        var frame = Frame(width: 5, height: 1)
        #expect(frame.write("ab日本", x: 0, y: 0) == 4)
        #expect(frame.lines == ["ab日 "])
        frame = Frame(width: 6, height: 2)
        frame.write("xx", x: 4, y: 1)
        frame.write("日本語", x: -1, y: 0)
        #expect(frame.trimmedLines == [" 本語", "    xx"])
        #expect(frame.write("z", x: 0, y: 5) == 0)
    }

    @Test("overwriting half of a wide character blanks the other half")
    func mending() {
        var frame = Frame(width: 4, height: 1)
        frame.write("日本", x: 0, y: 0)
        frame.write("x", x: 1, y: 0)
        #expect(frame.lines == [" x本"])
        frame.write("y", x: 2, y: 0)
        #expect(frame.lines == [" xy "])
    }

    static let hostile: [(String, String)] = [
        ("\u{1B}]0;pwned\u{07}", "\\e]0;pwned\\u{7}"),
        ("\u{1B}[2J\u{1B}[H", "\\e[2J\\e[H"),
        ("a\u{202E}txt.exe", "a\\u{202E}txt.exe"),
        ("\u{2066}x\u{2069}", "\\u{2066}x\\u{2069}"),
        ("line\nnext\r\tend", "line\\nnext\\r\\tend"),
        ("\u{7F}\u{9B}31m", "\\u{7F}\\u{9B}31m"),
        ("\u{0}nul", "\\u{0}nul"),
    ]

    @Test("control characters, ESC, DEL, C1 and bidi controls become visible escapes", arguments: hostile)
    func sanitizer(input: String, expected: String) {
        #expect(Sanitizer.clean(input) == expected)
        var frame = Frame(width: 40, height: 1)
        frame.write(input, x: 0, y: 0)
        #expect(frame.trimmedLines == [expected])
        for cell in frame.cells {
            #expect(cell.text.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) && !(0x202A...0x202E).contains($0.value) })
        }
    }

    @Test("a 10 000-character line is clipped to the frame")
    func longLine() {
        var frame = Frame(width: 30, height: 2)
        let used = frame.write(String(repeating: "日x\u{1B}", count: 10_000), x: 0, y: 1)
        #expect(used <= 30)
        #expect(frame.line(1).count <= 30)
        #expect(frame.line(0) == String(repeating: " ", count: 30))
    }

    @Test("Frame(lines:) round-trips and zero-size frames are safe")
    func linesAndZero() {
        let frame = Frame(lines: ["ab", "日本"])
        #expect(frame.width == 4 && frame.height == 2)
        #expect(frame.trimmedLines == ["ab", "日本"])
        var empty = Frame(width: 0, height: 0)
        #expect(empty.write("x", x: 0, y: 0) == 0)
        empty.fill(Rect(x: 0, y: 0, width: 5, height: 5))
        #expect(empty.lines.isEmpty)
        #expect(Frame(width: -3, height: 2).width == 0)
    }

    @Test("truncation ends in an ellipsis, ASCII in ASCII mode, and respects wide characters")
    func truncation() {
        #expect(TextFit.truncate("abcdef", to: 4) == "abc…")
        #expect(TextFit.truncate("abcdef", to: 4, glyphs: .ascii) == "abc~")
        #expect(TextFit.truncate("日本語", to: 4) == "日…")
        #expect(TextFit.truncate("abc", to: 3) == "abc")
        #expect(TextFit.truncate("abc", to: 0) == "")
        #expect(TextFit.pad("7", to: 3, alignRight: true) == "  7")
    }
}
