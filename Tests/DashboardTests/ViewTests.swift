import Foundation
import ManagementAPI
import Monitor
import Screen
import Testing
@testable import Dashboard

@Suite("Views on frames from MemoryTerminal")
struct ViewTests {
    /// Runs one turn of the real loop on a memory terminal and returns what it drew.
    func drawn(_ state: State, keys: [Key] = []) -> Frame? {
        let terminal = MemoryTerminal(width: state.size.width, height: state.size.height)
        let clock = ManualClock(World.start.addingTimeInterval(30))
        let loop = DashboardLoop(terminal: terminal, monitor: World.monitor(clock: clock), clock: clock,
                                 state: state, loadTheme: { _ in .builtInDefault })
        loop.step(keyTimeout: .zero)
        return terminal.lastFrame
    }

    func text(_ state: State) -> String { DashboardView.render(state).trimmedLines.joined(separator: "\n") }

    @Test("the main screen: header, tokens with /60 usage, gauge, the error tree and the key hints")
    func mainScreen() {
        let screen = text(World.state())
        #expect(screen.contains("mapitop  api.jwplayer.com  probes 2/min · tap 127.0.0.1:8787"))
        #expect(screen.contains("● live"))
        #expect(screen.contains("TOKEN"))
        #expect(screen.contains("54/60"))
        #expect(screen.contains("12/60"))
        #expect(screen.contains("█"))
        #expect(screen.contains("▾ 4xx Client errors"))
        #expect(screen.contains("400 Bad Request · too_long"))
        #expect(screen.contains("429 rate_limit_exceeded"))
        #expect(screen.contains("▾ 5xx Server errors"))
        #expect(screen.contains("/ filter  Enter expand"))
        let lines = DashboardView.render(World.state()).trimmedLines
        #expect(lines.count == 30)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 100 })
    }

    @Test("filtered: only the code asked for, and the filter shows")
    func filtered() throws {
        var state = World.state()
        state.filter = try Filter(parsing: "code:too_long")
        state = update(state, .snapshot(World.snapshot(filter: state.filter)))
        let screen = text(state)
        #expect(screen.contains("filter: code:too_long"))
        #expect(screen.contains("400 Bad Request · too_long"))
        #expect(!screen.contains("required"))
        #expect(!screen.contains("429 rate_limit_exceeded"))
    }

    @Test("expanded: a 400 occurrence shows its fields, and the detail pane shows the call")
    func expanded() {
        var state = World.state()
        for key in [Key.tab, .down, .down, .enter, .down, .enter] { state = update(state, .key(key)) }
        let screen = text(state)
        #expect(screen.contains("▾ 400 Bad Request · too_long"))
        #expect(screen.contains("ingest  POST /v2/sites/Abcd1234/media/"))
        #expect(screen.contains("too_long  metadata.title  255  'Episode 4'"))
        #expect(screen.contains("req 8f3a9c"))
        #expect(screen.contains("400 Bad Request"))
        #expect(screen.contains("limit 255"))
        #expect(screen.contains("got 'Episode 4'"))
    }

    @Test("paused: a banner, and PAUSED in the header")
    func paused() {
        let screen = text(update(World.state(), .key(.character("Z"))))
        #expect(screen.contains("PAUSED · data keeps coming in · Z resumes"))
        #expect(!screen.contains("● live"))
    }

    @Test("help overlay, too small, ASCII")
    func overlays() {
        #expect(text(update(World.state(), .key(.character("?")))).contains("mapitop keys"))
        #expect(text(update(World.state(), .resize(TerminalSize(width: 59, height: 20)))).contains("terminal too small, need 60×15"))
        #expect(text(update(World.state(), .resize(TerminalSize(width: 80, height: 14)))).contains("terminal too small"))
        let ascii = text(World.state(glyphs: .ascii))
        #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(ascii.contains("v 4xx Client errors"))
        #expect(ascii.contains("#"))
    }

    @Test("mono: the loop applies a theme without colours, and the frame still marks the selection")
    func mono() throws {
        var state = World.state()
        state.monochrome = true
        let terminal = MemoryTerminal(width: 100, height: 30)
        let clock = ManualClock(World.start.addingTimeInterval(30))
        let loop = DashboardLoop(terminal: terminal, monitor: World.monitor(clock: clock), clock: clock, state: state,
                                 loadTheme: { _ in Theme.builtInDefault.monochrome })
        loop.step(keyTimeout: .zero)
        let theme = try #require(terminal.theme)
        #expect(theme.roles.values.allSatisfy { $0.foreground == .default && $0.background == .default })
        let frame = try #require(terminal.lastFrame)
        #expect((0..<frame.width).contains { frame[$0, 2].style.reverse })
    }

    @Test("network text is sanitized on screen: escapes and bidi overrides cannot reach a cell raw")
    func hostile() {
        var core = MonitorCore()
        let hostile = ErrorEntry(code: "too_long", description: "\u{1B}]0;pwned\u{07}\u{1B}[2J\u{202E}evil",
                                 detail: FieldDetail(field: "metadata.\u{1B}[31mtitle", constraint: "255", provided: "\u{202E}gnp.exe"))
        core.ingest(World.record(World.ingest, at: 1, status: 400, remaining: 5, errors: [hostile], path: "/v2/\u{1B}[H/media/"))
        var state = World.state()
        state = update(state, .snapshot(core.snapshot(now: World.start.addingTimeInterval(2))))
        for key in [Key.tab, .down, .enter, .down, .enter] { state = update(state, .key(key)) }
        let frame = DashboardView.render(state)
        for cell in frame.cells {
            #expect(!cell.text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value) })
        }
        #expect(frame.trimmedLines.joined().contains("\\e[31mtitle"))
        #expect(frame.trimmedLines.joined().contains("\\u{202E}gnp.exe"))
    }

    @Test("the loop draws once for an unchanged screen, and not again until something changes")
    func drawsOnlyChanges() {
        let state = World.state()
        let terminal = MemoryTerminal(width: 100, height: 30)
        let clock = ManualClock(World.start.addingTimeInterval(30))
        let monitor = World.monitor(clock: clock)
        let loop = DashboardLoop(terminal: terminal, monitor: monitor, clock: clock, state: state, loadTheme: { _ in .builtInDefault })
        loop.step(keyTimeout: .zero)
        loop.step(keyTimeout: .zero)
        loop.step(keyTimeout: .zero)
        #expect(loop.draws == 1)
        #expect(drawn(state)?.trimmedLines.joined().contains("54/60") == true)
    }
}

@Suite("The detail pane's field lines")
struct DetailLineTests {
    /// A 400 as the real decoder reads it, through the monitor, rendered into a frame.
    func detail(_ descriptions: [(code: String, description: String)]) throws -> String {
        let body = #"{"errors":["# + descriptions.map { #"{"code":"\#($0.code)","description":"\#($0.description)"}"# }
            .joined(separator: ",") + "]}"
        let entries = ResponseDecoder.decodeError(status: 400, body: Array(body.utf8)).entries
        var core = MonitorCore()
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        core.ingest(CallRecord(time: time, token: TokenReference(fingerprint: Secret("s").fingerprint, label: "ops"), method: "POST",
                               path: "/v2/webhooks/", outcome: .status(400), latency: .milliseconds(5), rate: .unknown,
                               errors: entries, source: .tap))
        let occurrence = try #require(core.snapshot(now: time).classes.first?.groups.first?.occurrences.first)
        var frame = Frame(width: 120, height: 8)
        DetailView.render(occurrence, into: frame.bounds, frame: &frame, glyphs: .unicode)
        return frame.lines.joined(separator: "\n")
    }

    @Test("each constraint is named as its template says: a limit, a type, a rule, a clashing field, an action")
    func constraintNames() throws {
        let screen = try detail([
            ("too_long", "Field 'metadata.title' must be shorter than '255' characters. Value of 'x' was provided."),
            ("invalid_type", "Field 'metadata.tags' must be of type 'array'. Value of 'news' was provided."),
            ("invalid_format", "Field 'publish_start_date' cannot \\\"be parsed as a date\\\". Value of 'soon' was provided."),
            ("not_allowed", "Field 'download_url' cannot be used with 'direct'. Value of 'http://x' was provided."),
            ("resource_exhausted", "You cannot 'create' any more of 'webhooks'. Value of '11' was provided."),
        ])
        #expect(screen.contains("metadata.title      limit 255  got 'x'"))
        #expect(screen.contains("metadata.tags       type array  got 'news'"))
        #expect(screen.contains("publish_start_date  cannot be parsed as a date  got 'soon'"))
        #expect(screen.contains("download_url        with direct  got 'http://x'"))
        #expect(screen.contains("webhooks            cannot create  got '11'"))
    }
}
