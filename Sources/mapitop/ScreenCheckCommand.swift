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
        // What the terminal read last: the end-to-end tests check Home, End and the rest under
        // every TERM tmux and screen set.
        var lastKey = "none"
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
                frame.write("last key: \(lastKey)", x: 1, y: rest.y + 5)
                Self.widthBox(into: Rect(x: 0, y: rest.y + 6, width: size.width, height: Self.widthSamples.count + 2), glyphs: glyphs,
                              frame: &frame)
            }
            terminal.draw(frame, cursor: nil)
            switch terminal.readKey(timeout: .milliseconds(200)) {
            case .character("q")?: return
            case .resize?: resizes += 1
            case let key?: lastKey = String(describing: key)
            case nil: break
            }
        }
    }

    /// Text whose width terminals and libraries disagree about, one sample a row.
    static let widthSamples = [
        "CJK 日本語", "ZWJ 👩‍💻 👨‍👩‍👧", "VS16 ❤️ ✔️", "skin 👍🏽", "flag 🇺🇸", "marks e\u{301} a\u{308}\u{323}", "new 🫨",
    ]

    /// The samples in a box whose right border is the screen's last column: if the frame
    /// and the terminal measured a sample differently, that row's border would leave the
    /// column (or wrap off the row), which a capture of the screen shows.
    static func widthBox(into rect: Rect, glyphs: Glyphs, frame: inout Frame) {
        guard rect.width >= 4, rect.height >= 2 else { return }
        let rule = String(repeating: glyphs.horizontal, count: rect.width - 2)
        frame.write(glyphs.corners.topLeft + rule + glyphs.corners.topRight, x: rect.x, y: rect.y, style: Style(.border))
        for (index, sample) in widthSamples.enumerated() where index + 1 < rect.height - 1 {
            let y = rect.y + 1 + index
            frame.write(glyphs.vertical + TextFit.pad(sample, to: rect.width - 2) + glyphs.vertical, x: rect.x, y: y)
        }
        frame.write(glyphs.corners.bottomLeft + rule + glyphs.corners.bottomRight, x: rect.x, y: rect.maxY - 1, style: Style(.border))
    }
}
