import Foundation
import ManagementAPI
import Monitor
import Screen
import Testing
@testable import Dashboard

@Suite("Views on frames from MemoryTerminal")
struct ViewTests {
    func text(_ state: State) -> String { DashboardView.render(state).trimmedLines.joined(separator: "\n") }

    @Test("the main screen: header, tokens with /60 usage, gauge, the error tree and the key hints")
    func mainScreen() {
        let screen = text(World.state())
        #expect(screen.contains("mapitop  api.jwplayer.com · probes 2/min · tap 127.0.0.1:8787"))
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
        state = update(state, .snapshot(World.snapshot(filter: state.filter))).state
        let screen = text(state)
        #expect(screen.contains("filter: code:too_long"))
        #expect(screen.contains("400 Bad Request · too_long"))
        #expect(!screen.contains("required"))
        #expect(!screen.contains("429 rate_limit_exceeded"))
    }

    @Test("expanded: a 400 occurrence shows its fields, and the detail pane shows the call")
    func expanded() {
        var state = World.state()
        for key in [Key.tab, .down, .down, .enter, .down, .enter] { state = update(state, .key(key)).state }
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
        let screen = text(update(World.state(), .key(.character("Z"))).state)
        #expect(screen.contains("PAUSED · data keeps coming in · Z resumes"))
        #expect(!screen.contains("● live"))
    }

    @Test("help overlay, too small, ASCII")
    func overlays() {
        #expect(text(update(World.state(), .key(.character("?"))).state).contains("mapitop keys"))
        #expect(text(update(World.state(), .resize(TerminalSize(width: 59, height: 20))).state).contains("terminal too small, need 60×15"))
        #expect(text(update(World.state(), .resize(TerminalSize(width: 80, height: 14))).state).contains("terminal too small"))
        let ascii = text(World.state(glyphs: .ascii))
        #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(ascii.contains("v 4xx Client errors"))
        #expect(ascii.contains("#"))
    }

    @Test("monochrome: every theme the loop applies has no colours, T's too, while bold and reverse stay")
    func mono() throws {
        func run(monochrome: Bool) -> MemoryTerminal {
            var state = World.state()
            state.monochrome = monochrome
            let terminal = MemoryTerminal(width: 100, height: 30)
            let clock = ManualClock(World.start.addingTimeInterval(30))
            // The themes as files give them: in colour. Dropping colour is the loop's job.
            let loop = DashboardLoop(terminal: terminal, monitor: World.monitor(clock: clock), clock: clock, state: state,
                                     loadTheme: { name in Theme(name: name, roles: Theme.builtInDefault.roles) })
            loop.step(keyTimeout: .zero)
            terminal.type(.character("T"))
            loop.step(keyTimeout: .zero)
            loop.step(keyTimeout: .zero)
            return terminal
        }
        func colourless(_ theme: Theme?) -> Bool {
            theme?.roles.values.allSatisfy { $0.foreground == .default && $0.background == .default } ?? false
        }
        #expect(!colourless(run(monochrome: false).theme), "the check must be able to see colours")
        let terminal = run(monochrome: true)
        // T brought the next theme, and it too arrived without colours.
        let theme = try #require(terminal.theme)
        #expect(theme.name.hasPrefix("light"))
        #expect(colourless(theme))
        #expect(theme.style(for: .gaugeCritical).bold && theme.style(for: .selection).reverse)
        let frame = try #require(terminal.frames.first)
        #expect((0..<frame.width).contains { frame[$0, 2].style.reverse })
    }

    @Test("network text is sanitized on screen: escapes and bidi overrides cannot reach a cell raw")
    func hostile() {
        var core = MonitorCore()
        let hostile = ErrorEntry(code: "too_long", description: "\u{1B}]0;pwned\u{07}\u{1B}[2J\u{202E}evil",
                                 detail: FieldDetail(field: "metadata.\u{1B}[31mtitle", constraint: "255", provided: "\u{202E}gnp.exe"))
        core.ingest(World.record(World.ingest, at: 1, status: 400, remaining: 5, errors: [hostile], path: "/v2/\u{1B}[H/media/"))
        var state = World.state()
        state = update(state, .snapshot(core.snapshot(now: World.start.addingTimeInterval(2)))).state
        for key in [Key.tab, .down, .enter, .down, .enter] { state = update(state, .key(key)).state }
        let frame = DashboardView.render(state)
        for cell in frame.cells {
            #expect(!cell.text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value) })
        }
        #expect(frame.trimmedLines.joined().contains("\\e[31mtitle"))
        #expect(frame.trimmedLines.joined().contains("\\u{202E}gnp.exe"))
    }
}

@Suite("The run loop's draws: at most four a second, and never an unchanged frame")
struct DrawThrottleTests {
    /// The real loop on a memory terminal; both clocks move only when the test says.
    func makeLoop() -> (loop: DashboardLoop, terminal: MemoryTerminal, wall: ManualClock, draw: ManualMonotonicClock) {
        let terminal = MemoryTerminal(width: 100, height: 30)
        let wall = ManualClock(World.start.addingTimeInterval(30))
        let draw = ManualMonotonicClock()
        let loop = DashboardLoop(terminal: terminal, monitor: World.monitor(clock: wall), clock: wall, drawClock: draw,
                                 state: World.state(), loadTheme: { _ in .builtInDefault })
        return (loop, terminal, wall, draw)
    }

    @Test("an unchanged screen is drawn once, however many turns and seconds pass; a change undone before its draw is not drawn")
    func unchangedNeverRedrawn() {
        let (loop, terminal, _, draw) = makeLoop()
        loop.step(keyTimeout: .zero)
        #expect(loop.draws == 1)
        for _ in 0..<20 {
            draw.advance(by: 1)
            loop.step(keyTimeout: .zero)
        }
        #expect(loop.draws == 1)
        // Down, then up again inside one throttle window: what is on screen is already right.
        terminal.type(.down)
        loop.step(keyTimeout: .zero)
        draw.advance(by: 1)
        loop.step(keyTimeout: .zero)
        #expect(loop.draws == 2)
        terminal.type(.up, .down)
        loop.step(keyTimeout: .zero)
        loop.step(keyTimeout: .zero)
        draw.advance(by: 1)
        loop.step(keyTimeout: .zero)
        loop.step(keyTimeout: .zero)
        #expect(loop.draws == 2)
        #expect(terminal.frames.count == 2)
        #expect(terminal.lastFrame == DashboardView.render(loop.state))
    }

    @Test("a screen that changes every 10 ms is drawn at most four times a second, and its last state is drawn")
    func fourPerSecond() throws {
        let (loop, terminal, wall, draw) = makeLoop()
        var drawnAt: [Double] = []
        var elapsed = 0.0
        for _ in 0..<200 {
            // Every turn a new second on the header clock: every frame differs from the last.
            wall.advance(by: 1)
            let before = loop.draws
            loop.step(keyTimeout: .zero)
            if loop.draws > before { drawnAt.append(elapsed) }
            draw.advance(by: 0.01)
            elapsed += 0.01
        }
        let gaps = zip(drawnAt.dropFirst(), drawnAt).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= 0.25 - 1e-6 }, "draws closer than 250 ms: \(drawnAt)")
        // The limit is a rate, not a stall: two seconds of changes give eight draws.
        #expect((8...9).contains(drawnAt.count), "\(drawnAt)")
        // Once the changes stop, the newest screen still reaches the terminal.
        draw.advance(by: 0.25)
        loop.step(keyTimeout: .zero)
        #expect(terminal.lastFrame == DashboardView.render(loop.state))
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
