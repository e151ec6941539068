import ArgumentParser
import Screen

/// A small screen through the real ncurses terminal, for the end-to-end tests of the
/// screen layer (resizes, hostile text, restoring the terminal). Hidden from `--help`.
struct ScreenCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screen-check", abstract: "Draw a test screen through ncurses until q.", shouldDisplay: false)

    @Flag(help: "ASCII glyphs only.")
    var ascii = false

    func run() throws {
        TerminalSignals.shared.install()
        let terminal = NcursesTerminal()
        defer { terminal.end() }
        let glyphs: Glyphs = ascii ? .ascii : .unicode
        var resizes = 0
        var frames = 0
        while true {
            if let signal = TerminalSignals.shared.pending {
                // Restore the terminal first, then report the signal as a shell would.
                terminal.end()
                throw ExitCode(128 + signal)
            }
            let size = terminal.size
            var frame = Frame(width: size.width, height: size.height)
            frames += 1
            if size.width < 40 || size.height < 8 {
                TooSmall(minimumWidth: 40, minimumHeight: 8, glyphs: glyphs).render(into: frame.bounds, frame: &frame)
            } else {
                let (top, rest) = frame.bounds.splitTop(1)
                Banner("screen-check \(size.width)x\(size.height) resizes \(resizes)").render(into: top, frame: &frame)
                frame.write("wide: 日本語 🎬 e\u{301} end", x: 1, y: rest.y + 1)
                frame.write("hostile: \u{1B}]0;pwned\u{07}\u{1B}[2J\u{202E}evil", x: 1, y: rest.y + 2)
                Gauge(used: 52, limit: 60, glyphs: glyphs).render(into: Rect(x: 1, y: rest.y + 3, width: 24, height: 1), frame: &frame)
                Sparkline(values: [1, 2, 4, 6, 8, 7, 3], glyphs: glyphs).render(into: Rect(x: 27, y: rest.y + 3, width: 7, height: 1), frame: &frame)
                frame.write("q quits", x: 1, y: rest.y + 4, style: Style(.hint))
            }
            terminal.draw(frame, cursor: nil)
            switch terminal.readKey(timeout: .milliseconds(200)) {
            case .character("q")?: return
            case .resize?: resizes += 1
            default: break
            }
        }
    }
}
