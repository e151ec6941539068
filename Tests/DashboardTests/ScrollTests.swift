import Foundation
import ManagementAPI
import Monitor
import Screen
import Testing
@testable import Dashboard

@Suite("Scrolling keeps its place, as htop and k9s do")
struct ScrollTests {
    func send(_ state: State, _ keys: [Key]) -> State { keys.reduce(state) { update($0, .key($1)).state } }

    func send(_ state: State, _ key: Key, times: Int) -> State { send(state, Array(repeating: key, count: times)) }

    /// The world plus 80 rate-limited calls, the error pane focused and the 429 group open:
    /// far more rows than the tree shows.
    func longTree(height: Int = 30) -> State {
        var core = MonitorCore()
        core.register(World.ingest.reference)
        core.register(World.cms.reference)
        World.records.forEach { core.ingest($0) }
        for index in 0..<80 {
            core.ingest(World.record(World.ingest, at: 6 + Double(index) * 0.1, status: 429, remaining: 0,
                                     errors: [ErrorEntry(code: "rate_limit_exceeded", description: "call \(index)")]))
        }
        var state = update(World.state(height: height), .snapshot(core.snapshot(now: World.start.addingTimeInterval(20)))).state
        state = send(state, [.tab])
        let group = NodeID.group(GroupKey(statusClass: .clientError, status: 429, code: "rate_limit_exceeded"))
        while state.selectedNode != group { state = send(state, [.down]) }
        return send(state, [.enter])
    }

    /// The selection bar's row on screen and the text of the tree's first row.
    struct Screen {
        let selectedY: Int
        let selectedText: String
        let firstTreeLine: String
    }

    func screen(_ state: State) throws -> Screen {
        let frame = DashboardView.render(state)
        let titleY = try #require(frame.trimmedLines.firstIndex { $0.hasPrefix(" ERRORS") })
        let selectedY = try #require((titleY + 1..<frame.height).first { frame[1, $0].style.reverse })
        return Screen(selectedY: selectedY, selectedText: frame.trimmedLines[selectedY], firstTreeLine: frame.trimmedLines[titleY + 1])
    }

    func selectedRowText(_ state: State) throws -> String {
        let row = try #require(ErrorTree.rows(state).first { $0.id == state.selectedNode })
        return row.row.text
    }

    @Test("down past the bottom scrolls one row at a time; up again moves the selection, not the view")
    func rowByRow() throws {
        var state = longTree()
        let top = try screen(state)
        var previous = top
        var scrolled = 0
        for _ in 0..<40 {
            state = send(state, [.down])
            let now = try screen(state)
            #expect(now.selectedText.contains(try selectedRowText(state)))
            if now.firstTreeLine != previous.firstTreeLine {
                // The view moves only with the selection pinned at the bottom edge, one row a step.
                #expect(now.selectedY == previous.selectedY)
                scrolled += 1
            } else {
                #expect(now.selectedY == previous.selectedY + 1)
            }
            previous = now
        }
        #expect(scrolled > 0)
        #expect(state.errorOffset == scrolled)

        let before = try screen(state)
        state = send(state, .up, times: 3)
        let after = try screen(state)
        #expect(after.firstTreeLine == before.firstTreeLine, "the view jumped on the way up")
        #expect(after.selectedY == before.selectedY - 3)
        state = send(state, [.down])
        #expect(try screen(state).firstTreeLine == before.firstTreeLine)
        #expect(try screen(state).selectedY == before.selectedY - 2)
    }

    @Test("PgDn and PgUp move the view and the selection a page together; the selection keeps its row")
    func paging() throws {
        var state = send(longTree(), .down, times: 2)
        let start = try screen(state)
        let visible = Layout(state, errorRows: ErrorTree.rows(state)).visibleTreeRows
        let rows = ErrorTree.rows(state)
        state = send(state, [.pageDown])
        let paged = try screen(state)
        #expect(paged.selectedY == start.selectedY)
        #expect(state.errorOffset == visible)
        #expect(paged.firstTreeLine.contains(rows[visible].row.text))
        state = send(state, [.pageUp])
        #expect(try screen(state).firstTreeLine == start.firstTreeLine)
        #expect(try screen(state).selectedY == start.selectedY)
        // At the end the selection goes on to the last row.
        state = send(state, .pageDown, times: 20)
        #expect(state.selectedNode == ErrorTree.rows(state).last?.id)
        #expect(try screen(state).selectedText.contains(try selectedRowText(state)))
    }

    @Test("a resize keeps the selection visible, and growing again shows no empty rows while rows remain")
    func resize() throws {
        var state = send(longTree(), .down, times: 30)
        let selected = try selectedRowText(state)
        state = update(state, .resize(TerminalSize(width: 100, height: 16))).state
        #expect(try screen(state).selectedText.contains(selected))
        state = update(state, .resize(TerminalSize(width: 100, height: 60))).state
        #expect(try screen(state).selectedText.contains(selected))
        let frame = DashboardView.render(state)
        let treeRows = Layout(state, errorRows: ErrorTree.rows(state)).tree
        let lastTreeLine = frame.trimmedLines[treeRows.maxY - 1]
        #expect(!lastTreeLine.isEmpty, "rows remain below, yet the tree ends early")
        // Off-screen sizes leave the offsets alone.
        let offset = state.errorOffset
        #expect(update(state, .resize(TerminalSize(width: 40, height: 10))).state.errorOffset == offset)
    }

    @Test("the token table scrolls the same way")
    func tokens() throws {
        var core = MonitorCore()
        for index in 0..<30 {
            core.register(Token(label: String(format: "token-%02d", index), secret: Secret("scroll-\(index)")).reference)
        }
        var state = update(World.state(), .snapshot(core.snapshot(now: World.start))).state
        state.sort = .name
        state = send(state, .down, times: 15)
        let frame = DashboardView.render(state)
        #expect(state.tokenOffset > 0)
        #expect(frame.trimmedLines.contains { $0.contains("token-15") })
        let firstShown = try #require(frame.trimmedLines.first { $0.contains("token-") })
        state = send(state, .up, times: 2)
        #expect(DashboardView.render(state).trimmedLines.first { $0.contains("token-") } == firstShown, "the view jumped on the way up")
    }

    @Test("the help overlay names the arrow keys in ASCII under --ascii")
    func asciiHelp() {
        let help = DashboardView.render(update(World.state(glyphs: .ascii), .key(.character("?"))).state).trimmedLines.joined(separator: "\n")
        #expect(help.contains("mapitop keys"))
        #expect(help.contains("Up Down  j k"))
        #expect(help.unicodeScalars.allSatisfy { $0.isASCII })
        let unicode = DashboardView.render(update(World.state(), .key(.character("?"))).state).trimmedLines.joined(separator: "\n")
        #expect(unicode.contains("↑ ↓  j k"))
    }
}
