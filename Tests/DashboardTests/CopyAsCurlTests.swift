import Foundation
import ManagementAPI
import Monitor
import Testing
@testable import Dashboard
@testable import Screen

/// `y`: the selected call goes to the terminal's clipboard as a curl command (the loop owns
/// the terminal; `update` only names the call), and the status line says so.
@Suite("Dashboard: y copies the selected call as curl")
struct CopyAsCurlTests {
    static let body = #"{"metadata":{"title":"it's long"},"upload":{}}"#

    let drawClock = ManualMonotonicClock()

    func loop(_ terminal: MemoryTerminal) -> DashboardLoop {
        let clock = ManualClock(World.start.addingTimeInterval(30))
        let copy = CurlCopy(apiBase: "https://api.jwplayer.com", journaled: { record in
            record.method == "POST" ? CurlCopy.Journaled(body: Array(Self.body.utf8), query: "dry_run=1&q=a%20b") : nil
        })
        return DashboardLoop(terminal: terminal, monitor: World.monitor(clock: clock), clock: clock, drawClock: drawClock, state: World.state(),
                             loadTheme: { _ in .builtInDefault }, copyCommand: copy.command(for:))
    }

    func press(_ keys: [Key], _ terminal: MemoryTerminal, _ loop: DashboardLoop) {
        for key in keys {
            terminal.type(key)
            loop.step(keyTimeout: .zero)
        }
    }

    @Test("on a 400 in the errors pane: the command with method, URL, placeholder and journaled body; the status says what was copied")
    func copiesTheSelectedCall() {
        let terminal = MemoryTerminal(width: 120, height: 40)
        let loop = loop(terminal)
        loop.step(keyTimeout: .zero)
        // Errors pane, the 4xx class's first group (400 · too_long), its newest call.
        press([.tab, .down, .enter, .down], terminal, loop)
        let selected = Selection.selectedRow(loop.state)?.occurrence?.record
        #expect(selected?.outcome == .status(400), "selected \(String(describing: selected))")
        press([.character("y")], terminal, loop)
        #expect(terminal.copied.count == 1)
        let command = terminal.copied.last ?? ""
        #expect(command == #"curl -q -g --path-as-is -X 'POST' 'https://api.jwplayer.com/v2/sites/Abcd1234/media/?dry_run=1&q=a%20b' -H "Authorization: Bearer $JWP_SECRET_INGEST" -H 'Content-Type: application/json' --data-raw '{"metadata":{"title":"it'\''s long"},"upload":{}}'"#)
        #expect(loop.state.status == "copied as curl (OSC 52) with its \(Self.body.utf8.count)-byte body; the secret comes from $JWP_SECRET_INGEST",
                "\(loop.state.status ?? "")")
        // The copy is an effect of that one key: the next turns copy nothing more.
        loop.step(keyTimeout: .zero)
        #expect(terminal.copied.count == 1)
        #expect(!command.contains("world-ingest-secret"))
        // The status line is on the frame the person sees, once the next draw is due.
        drawClock.advance(by: 1)
        loop.step(keyTimeout: .zero)
        #expect(terminal.lastFrame.map { $0.trimmedLines.joined(separator: "\n").contains("copied as curl (OSC 52)") } == true)
    }

    @Test("with the token table focused, y copies nothing and says how to select a call")
    func nothingSelected() {
        let terminal = MemoryTerminal(width: 120, height: 40)
        let loop = loop(terminal)
        loop.step(keyTimeout: .zero)
        press([.character("y")], terminal, loop)
        #expect(terminal.copied.isEmpty)
        #expect(loop.state.status?.contains("select one in the errors pane") == true)
    }
}

/// OSC 52 as it is written: base64 inside, so no text can end the sequence early; inside tmux
/// also wrapped for passthrough, every ESC doubled.
@Suite("Screen: the OSC 52 clipboard sequence")
struct ClipboardSequenceTests {
    @Test("its base64 is RFC 4648's, at every padding length", arguments: [0, 1, 2, 3, 4, 5, 64, 65, 66])
    func base64(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
        #expect(Clipboard.base64(bytes) == Data(bytes).base64EncodedString())
    }

    @Test("plain, and inside tmux twice: as is and in DCS passthrough")
    func sequences() {
        let text = "curl 'a\u{07}b\u{1B}\\'"
        let plain = Clipboard.osc52(text)
        #expect(plain == "\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}")
        #expect(Clipboard.sequences(text, inTmux: false) == plain)
        let tmux = Clipboard.sequences(text, inTmux: true)
        #expect(tmux == plain + "\u{1B}Ptmux;\u{1B}\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}\u{1B}\\")
    }
}

@Suite("Dashboard: what the copy note says")
struct CurlCopyNoteTests {
    static let post = CallRecord(
        time: World.start, token: World.ingest.reference, method: "POST", path: "/v2/webhooks/", outcome: .status(400),
        latency: .milliseconds(5), rate: .unknown, errors: [], source: .tap)

    @Test("without a journal a POST is copied without its body, and the note says so; in tmux it says how to let the copy through")
    func notes() {
        let bare = CurlCopy(apiBase: "https://api.jwplayer.com").command(for: Self.post)
        #expect(bare.note.contains("without its body (no journal here)"))
        #expect(!bare.command.contains("--data"))
        let tmux = CurlCopy(apiBase: "https://api.jwplayer.com", inTmux: true, journaled: { _ in nil }).command(for: Self.post)
        #expect(!tmux.note.contains("without its body"), "a journal that has no body for it is not a missing journal")
        #expect(tmux.note.hasSuffix("in tmux: set -g set-clipboard on"))
    }
}
