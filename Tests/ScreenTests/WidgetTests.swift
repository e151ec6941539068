import Testing
@testable import Screen

private func render(_ widget: some Widget, width: Int, height: Int) -> [String] {
    var frame = Frame(width: width, height: height)
    widget.render(into: frame.bounds, frame: &frame)
    return frame.trimmedLines
}

@Suite("Widgets at normal, narrow and zero sizes")
struct WidgetTests {
    @Test("gauge: roles at the thresholds, block and ASCII glyphs")
    func gauge() {
        #expect(render(Gauge(used: 30, limit: 60), width: 10, height: 1) == ["█████░░░░░"])
        #expect(render(Gauge(used: 30, limit: 60, glyphs: .ascii), width: 10, height: 1) == ["#####....."])
        #expect(render(Gauge(used: 90, limit: 60), width: 4, height: 1) == ["████"])
        #expect(render(Gauge(used: 5, limit: 0), width: 3, height: 1) == ["░░░"])
        #expect(render(Gauge(used: 30, limit: 60), width: 0, height: 1) == [""])
        #expect(Gauge(used: 41, limit: 60).role == .gaugeOK)
        #expect(Gauge(used: 42, limit: 60).role == .gaugeWarn)
        #expect(Gauge(used: 54, limit: 60).role == .gaugeCritical)
        var frame = Frame(width: 4, height: 1)
        Gauge(used: 60, limit: 60).render(into: frame.bounds, frame: &frame)
        #expect(frame[0, 0].style.role == .gaugeCritical)
    }

    @Test("sparkline: scaled to the peak, newest at the right, padded when short")
    func sparkline() {
        #expect(render(Sparkline(values: [0, 1, 2, 4, 8]), width: 5, height: 1) == ["▁▂▃▅█"])
        #expect(render(Sparkline(values: [0, 1, 2, 4, 8]), width: 3, height: 1) == ["▃▅█"])
        #expect(render(Sparkline(values: [1, 1]), width: 4, height: 1) == ["  ██"])
        #expect(render(Sparkline(values: [0, 8], glyphs: .ascii), width: 2, height: 1) == ["_#"])
        #expect(render(Sparkline(values: []), width: 3, height: 1) == [""])
    }

    let columns = [
        Table.Column("TOKEN", min: 6, max: 12, priority: 9),
        Table.Column("USED", min: 5, alignRight: true, priority: 3),
        Table.Column("10 MIN", min: 6, priority: 1),
    ]

    func rows(_ label: String) -> [[Table.Content]] {
        [[.text(label, .plain), .text("52/60", .plain), .sparkline(Sparkline(values: [1, 2, 3, 4, 5, 8]))]]
    }

    @Test("table: headers, right-aligned numbers, elision, and low-priority columns dropped when narrow")
    func table() {
        #expect(render(Table(columns: columns, rows: rows("ingest")), width: 30, height: 2) == [
            "TOKEN         USED 10 MIN", "ingest       52/60 ▂▃▄▅▅█",
        ])
        #expect(render(Table(columns: columns, rows: rows("a-very-long-token-label")), width: 30, height: 2)[1]
            == "a-very-long… 52/60 ▂▃▄▅▅█")
        #expect(render(Table(columns: columns, rows: rows("ingest")), width: 14, height: 2) == ["TOKEN     USED", "ingest   52/60"])
        #expect(render(Table(columns: columns, rows: rows("日本語のトークン")), width: 20, height: 2)[1] == "日本語… 52/60 ▂▃▄▅▅█")
        #expect(render(Table(columns: columns, rows: rows("x")), width: 0, height: 0) == [])
    }

    @Test("table: the selected row shows reversed and scrolls into view")
    func tableSelection() {
        let many = (0..<10).map { [Table.Content.text("t\($0)", .plain)] }
        var frame = Frame(width: 8, height: 4)
        Table(columns: [Table.Column("T", min: 4)], rows: many, selected: 7).render(into: frame.bounds, frame: &frame)
        #expect(frame.trimmedLines == ["T", "t5", "t6", "t7"])
        #expect(frame[0, 3].style.reverse)
        #expect(!frame[0, 2].style.reverse)
    }

    let treeRows = [
        Tree.Row(depth: 0, marker: .expanded, text: "4xx Client errors", trailing: "37"),
        Tree.Row(depth: 1, marker: .expanded, text: "400 Bad Request · too_long", trailing: "21"),
        Tree.Row(depth: 2, marker: .collapsed, text: "14:03:20 ingest POST /v2/sites/Abcd1234/media/"),
        Tree.Row(depth: 1, marker: .collapsed, text: "429 rate_limit_exceeded", trailing: "12"),
        Tree.Row(depth: 0, marker: .collapsed, text: "5xx Server errors", trailing: "4"),
    ]

    @Test("tree: markers, indentation, right-aligned counts, elision")
    func tree() {
        #expect(render(Tree(rows: treeRows, selected: nil), width: 40, height: 5) == [
            "▾ 4xx Client errors                   37",
            "  ▾ 400 Bad Request · too_long        21",
            "    ▸ 14:03:20 ingest POST /v2/sites/Ab…",
            "  ▸ 429 rate_limit_exceeded           12",
            "▸ 5xx Server errors                    4",
        ])
        #expect(render(Tree(rows: treeRows, selected: nil, glyphs: .ascii), width: 12, height: 1) == ["v 4xx Cl~ 37"])
        #expect(render(Tree(rows: treeRows, selected: 0), width: 0, height: 0) == [])
    }

    @Test("tree: scrolling keeps the selection visible")
    func treeScroll() {
        var frame = Frame(width: 30, height: 2)
        let tree = Tree(rows: treeRows, selected: 4)
        tree.render(into: frame.bounds, frame: &frame)
        #expect(tree.firstRow(visible: 2) == 3)
        #expect(frame.trimmedLines.last?.hasPrefix("▸ 5xx") == true)
        #expect(frame[0, 1].style.reverse)
        #expect(Tree(rows: treeRows, selected: 0, offset: 3).firstRow(visible: 2) == 0)
    }

    @Test("prompt: editing, history, cursor and error")
    func prompt() {
        var state = PromptState()
        for character in "code:too" { state.insert(character) }
        state.moveLeft()
        state.moveLeft()
        state.insert("X")
        #expect(state.text == "code:tXoo")
        state.backspace()
        state.moveEnd()
        state.insert("_")
        #expect(state.text == "code:too_")
        state.commit()
        state.setText("")
        state.historyBack()
        #expect(state.text == "code:too_")
        state.historyForward()
        #expect(state.text == "")
        state.setText("日本")
        state.error = "column 1: bad"
        let prompt = Prompt(label: "/ ", state: state)
        var frame = Frame(width: 30, height: 1)
        prompt.render(into: frame.bounds, frame: &frame)
        #expect(frame.trimmedLines == ["/ 日本           column 1: bad"])
        #expect(prompt.cursorPosition(in: frame.bounds) == (6, 0))
        #expect(render(prompt, width: 0, height: 0) == [])
    }

    @Test("banner, too-small screen and help overlay")
    func overlays() {
        #expect(render(Banner("PAUSED"), width: 12, height: 1) == ["   PAUSED"])
        #expect(render(TooSmall(minimumWidth: 60, minimumHeight: 15), width: 40, height: 3) == [
            "", "     terminal too small, need 60×15", "",
        ])
        #expect(render(TooSmall(minimumWidth: 60, minimumHeight: 15, glyphs: .ascii), width: 20, height: 1) == ["terminal too small,~"])
        let help = HelpOverlay(title: "keys", lines: [("q", "quit"), ("/", "filter")])
        #expect(render(help, width: 20, height: 6) == [
            "   ┌─ keys ────┐", "   │           │", "   │ q  quit   │", "   │ /  filter │", "   │           │", "   └───────────┘",
        ])
        #expect(render(HelpOverlay(title: "keys", lines: [("q", "quit")], glyphs: .ascii), width: 14, height: 5).first == " +- keys --+")
        #expect(render(help, width: 3, height: 2) == ["", ""])
    }
}
