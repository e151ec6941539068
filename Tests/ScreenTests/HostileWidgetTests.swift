import Testing
@testable import Screen

/// Every widget, fed hostile text at normal, narrow and zero sizes, in Unicode and ASCII.
@Suite("Widgets with hostile text")
struct HostileWidgetTests {
    static let hostile = "\u{1B}]0;pwned\u{07}\u{1B}[2J\u{202E}evil 日本語 e\u{301} 🎬 " + String(repeating: "x\u{1B}[H", count: 3_000)

    static func widgets(_ glyphs: Glyphs) -> [(String, any Widget)] {
        [
            ("table", Table(columns: [Table.Column(hostile, min: 4, max: 30), Table.Column("N", min: 3, alignRight: true)],
                            rows: [[.text(hostile, .plain), .text(hostile, .plain)]], selected: 0, glyphs: glyphs)),
            ("gauge", Gauge(used: 59, limit: 60, glyphs: glyphs)),
            ("sparkline", Sparkline(values: Array(0..<10_000), glyphs: glyphs)),
            ("tree", Tree(rows: [Tree.Row(depth: 40, marker: .expanded, text: hostile, trailing: hostile)], selected: 0, glyphs: glyphs)),
            ("prompt", Prompt(label: hostile, state: { var state = PromptState(text: hostile); state.error = hostile; return state }(), glyphs: glyphs)),
            ("banner", Banner(hostile)),
            ("help", HelpOverlay(title: hostile, lines: [(hostile, hostile), ("q", hostile)], glyphs: glyphs)),
            ("too small", TooSmall(minimumWidth: 60, minimumHeight: 15, glyphs: glyphs)),
        ]
    }

    @Test("no raw control character reaches a cell, nothing spills, nothing crashes",
          arguments: [(80, 20), (7, 2), (1, 1), (0, 0)], [Glyphs.unicode, Glyphs.ascii])
    func hostileText(size: (Int, Int), glyphs: Glyphs) {
        for (name, widget) in Self.widgets(glyphs) {
            var frame = Frame(width: size.0, height: size.1)
            widget.render(into: frame.bounds, frame: &frame)
            #expect(frame.width == max(0, size.0) && frame.height == max(0, size.1), "\(name)")
            for line in frame.lines {
                #expect(DisplayWidth.of(line) <= size.0, "\(name) spills: \(line)")
            }
            for cell in frame.cells {
                let bad = cell.text.unicodeScalars.contains {
                    $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value)
                }
                #expect(!bad, "\(name) wrote a raw control character")
            }
        }
    }
}
