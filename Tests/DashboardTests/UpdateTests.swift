import Foundation
import ManagementAPI
import Monitor
import Screen
import Testing
@testable import Dashboard

@Suite("update: every key and message")
struct UpdateTests {
    func send(_ state: State, _ keys: Key...) -> State {
        keys.reduce(state) { update($0, .key($1)).state }
    }

    @Test("messages: snapshot, tick, resize, stop")
    func messages() {
        var state = World.state()
        #expect(state.shown.tokens.count == 2)
        #expect(state.selectedToken != nil)
        state = update(state, .tick(World.start.addingTimeInterval(99))).state
        #expect(state.now == World.start.addingTimeInterval(99))
        state = update(state, .resize(TerminalSize(width: 40, height: 10))).state
        #expect(state.isTooSmall)
        #expect(update(state, .stop).state.quit)
    }

    @Test("q and Ctrl-C quit; ? opens help and any key closes it")
    func quitAndHelp() {
        #expect(send(World.state(), .character("q")).quit)
        #expect(send(World.state(), .control("c")).quit)
        let help = send(World.state(), .character("?"))
        #expect(help.showHelp)
        let closed = send(help, .character("j"))
        #expect(!closed.showHelp && !closed.quit)
        #expect(send(help, .character("q")).quit)
    }

    @Test("arrows, j/k, PgUp/PgDn and g/G move the selection in the focused pane")
    func movement() {
        var state = World.state()
        let first = state.selectedToken
        state = send(state, .down)
        #expect(state.selectedToken != first)
        state = send(state, .character("k"))
        #expect(state.selectedToken == first)
        state = send(state, .character("G"))
        #expect(state.selectedToken == state.sortedTokens.last?.reference.fingerprint)
        state = send(state, .character("g"))
        #expect(state.selectedToken == state.sortedTokens.first?.reference.fingerprint)
        state = send(state, .pageDown)
        #expect(state.selectedToken == state.sortedTokens.last?.reference.fingerprint)
        state = send(state, .pageUp, .tab)
        #expect(state.focus == .errors)
        let top = state.selectedNode
        state = send(state, .character("j"))
        #expect(state.selectedNode != top)
        state = send(state, .up)
        #expect(state.selectedNode == top)
        #expect(send(state, .backTab).focus == .tokens)
    }

    @Test("Enter, + and - expand and collapse the tree down to a 400's fields")
    func expandCollapse() {
        var state = send(World.state(), .tab)
        #expect(state.selectedNode == .statusClass(.clientError))
        state = send(state, .down)
        #expect(state.selectedNode == .group(GroupKey(statusClass: .clientError, status: 400, code: "required")))
        state = send(state, .enter, .down)
        guard case .occurrence? = state.selectedNode else {
            Issue.record("expected an occurrence, got \(String(describing: state.selectedNode))")
            return
        }
        state = send(state, .character("+"), .down)
        #expect(state.selectedNode.map { if case .field = $0 { true } else { false } } == true)
        state = send(state, .character("-"))
        guard case .occurrence? = state.selectedNode else {
            Issue.record("collapse from a field goes to its occurrence")
            return
        }
        // '-' on a closed row steps out to its parent; on an open one it closes it.
        state = send(state, .character("-"), .character("-"))
        #expect(state.selectedNode == .group(GroupKey(statusClass: .clientError, status: 400, code: "required")))
        #expect(state.isExpanded(.group(GroupKey(statusClass: .clientError, status: 400, code: "required"))))
        state = send(state, .character("-"))
        #expect(!state.isExpanded(.group(GroupKey(statusClass: .clientError, status: 400, code: "required"))))
        state = send(state, .up, .character("-"))
        #expect(!state.isExpanded(.statusClass(.clientError)))
    }

    @Test("/ opens the prompt; Enter applies a good filter; a bad one stays in the prompt and the old filter stays")
    func filterPrompt() throws {
        var state = send(World.state(), .character("/"))
        #expect(state.prompt != nil)
        for character in "code:too_long" { state = send(state, .character(character)) }
        state = send(state, .enter)
        #expect(state.prompt == nil)
        #expect(state.filter == (try Filter(parsing: "code:too_long")))
        state = send(state, .character("/"))
        #expect(state.prompt?.text == "code:too_long")
        for _ in 0..<13 { state = send(state, .backspace) }
        for character in "foo:bar" { state = send(state, .character(character)) }
        state = send(state, .enter)
        #expect(state.prompt?.error?.contains("unknown key 'foo'") == true)
        #expect(state.filter == (try Filter(parsing: "code:too_long")))
        state = send(state, .escape)
        #expect(state.prompt == nil)
        #expect(!state.filter.isEmpty)
        state = send(state, .escape)
        #expect(state.filter.isEmpty)
        state = send(state, .character("/"), .up)
        #expect(state.prompt?.text == "code:too_long")
        state = send(state, .home, .delete, .end, .left, .right)
        #expect(state.prompt?.text == "ode:too_long")
    }

    @Test("t and c filter by the selected token and code, and again to clear")
    func quickFilters() throws {
        var state = World.state()
        let token = try #require(state.sortedTokens.first?.reference.label)
        state = send(state, .character("t"))
        #expect(state.filter == (try Filter(parsing: "token:\(token)")))
        state = send(state, .character("t"))
        #expect(state.filter.isEmpty)
        state = send(state, .tab, .down, .character("c"))
        #expect(state.filter == (try Filter(parsing: "code:required")))
        state = send(state, .character("c"))
        #expect(state.filter.isEmpty)
        state = send(state, .backTab, .enter)
        #expect(state.focus == .errors)
        #expect(!state.filter.isEmpty)
    }

    @Test("t on a label with a quote and a space filters by it (one quoting rule, the parser's); c on a code the language cannot name says so")
    func quickFiltersQuote() throws {
        let odd = Token(label: "night \"batch\"", secret: Secret("world-odd-secret"))
        var core = MonitorCore()
        core.register(odd.reference)
        core.ingest(World.record(odd, at: 2, status: 400, remaining: 20,
                                 errors: [ErrorEntry(code: "bad\"code:x", description: "odd", detail: nil)], method: "POST"))
        var state = State(session: SessionInfo(apiBase: "https://api.jwplayer.com", probesPerMinute: 2),
                          size: TerminalSize(width: 100, height: 30), now: World.start)
        state = update(state, .snapshot(core.snapshot(now: World.start.addingTimeInterval(30), filter: .empty))).state
        state = send(state, .character("t"))
        let byToken = try #require(state.filter.terms.first)
        #expect(byToken.key == .token && byToken.value == "night \"batch\"", "\(state.filter)")
        #expect(try Filter(parsing: state.filter.description) == state.filter)
        state = send(state, .character("t"), .tab, .down, .character("c"))
        #expect(state.filter.isEmpty)
        #expect(state.status?.hasPrefix("cannot filter by code bad\"code:x: a code is lowercase letters") == true, "\(state.status ?? "no notice")")
    }

    @Test("a bare word with a colon or a leading ! is quoted to read back as the same word")
    func quotedTextTerms() throws {
        for quoted in [#""a:b""#, #""!x""#, #""two words""#, #""say \"hi\"""#, #"back\slash"#] {
            let filter = try Filter(parsing: quoted)
            #expect(try Filter(parsing: filter.description) == filter, "\(quoted) read back from \(filter.description)")
        }
    }

    @Test("Z freezes the screen while data keeps coming, and unfreezes")
    func pause() {
        var state = send(World.state(), .character("Z"))
        #expect(state.paused)
        let frozen = state.shown
        state = update(state, .snapshot(World.snapshot(at: 500))).state
        #expect(state.shown == frozen)
        #expect(state.latest != frozen)
        state = send(state, .character("Z"))
        #expect(!state.paused)
        #expect(state.shown == state.latest)
    }

    @Test("s cycles the sort, T the theme, Ctrl-L asks for a repaint")
    func sortThemeRedraw() {
        var state = World.state()
        #expect(state.sort == .usage)
        #expect(state.sortedTokens.first?.reference.label == "ingest")
        state = send(state, .character("s"))
        #expect(state.sort == .name)
        #expect(state.sortedTokens.first?.reference.label == "cms-sync")
        state = send(state, .character("s"), .character("s"))
        #expect(state.sort == .usage)
        #expect(update(state, .key(.character("T"))).effects == [.applyTheme("light")], "T asks the loop to apply the next theme")
        state = send(state, .character("T"))
        #expect(state.themeName == "light")
        state = send(state, .character("T"), .character("T"))
        #expect(state.themeName == "default")
        #expect(update(state, .key(.control("l"))).effects == [.repaintAll])
        #expect(update(state, .key(.character("s"))).effects.isEmpty, "a key that changes only the state asks for nothing")
    }
}
