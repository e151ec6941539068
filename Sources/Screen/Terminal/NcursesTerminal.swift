import CNcurses

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The ncursesw terminal. Not Sendable on purpose: it lives on the thread that made it,
/// which is the only thread that calls curses.
public final class NcursesTerminal: Terminal {
    public struct Options: Sendable {
        public var theme: Theme
        /// Drop colours (NO_COLOR, --no-color).
        public var monochrome: Bool
        /// Milliseconds ESC waits for the rest of an escape sequence.
        public var escapeDelay: Int32
        /// Running inside tmux: the clipboard sequence also goes in tmux's passthrough.
        public var inTmux: Bool

        public init(theme: Theme = .builtInDefault, monochrome: Bool = false, escapeDelay: Int32 = 25, inTmux: Bool = false) {
            self.theme = theme
            self.monochrome = monochrome
            self.escapeDelay = escapeDelay
            self.inTmux = inTmux
        }
    }

    private var options: Options
    private var window: UnsafeMutablePointer<WINDOW>
    private var colors: Int = 0
    private var pairs: [PairKey: Int16] = [:]
    private var maxPairs = 0
    private var ended = false
    private var previous: Frame?
    /// The locale cannot show anything but ASCII (not UTF-8): ncurses would drop every other
    /// character and the rest of its row would move left, so each such cell shows '?' instead.
    private var asciiOnly = false

    private struct PairKey: Hashable {
        let foreground: Int
        let background: Int
    }

    public init(options: Options = Options()) {
        self.options = options
        setlocale(LC_ALL, "")
        guard let screen = initscr() else { fatalError("initscr failed: is TERM set?") }
        window = screen
        asciiOnly = !TerminalCapabilities.isUTF8()
        cbreak()
        noecho()
        nonl()
        intrflush(window, false)
        keypad(window, true)
        for (sequence, code) in Self.sequencesTerminfoMayLack { _ = define_key(sequence, code) }
        set_escdelay(options.escapeDelay)
        curs_set(0)
        if has_colors(), !options.monochrome {
            start_color()
            use_default_colors()
            colors = Int(mapitop_colors())
            maxPairs = Int(mapitop_color_pairs())
        }
    }

    deinit { end() }

    /// Restores the terminal; safe to call more than once.
    public func end() {
        guard !ended else { return }
        ended = true
        curs_set(1)
        endwin()
    }

    public var size: TerminalSize {
        TerminalSize(width: Int(getmaxx(window)), height: Int(getmaxy(window)))
    }

    /// Whether the terminal shows colours (after NO_COLOR and --no-color).
    public var colorCount: Int { colors }

    public func apply(theme: Theme) {
        options.theme = options.monochrome ? theme.monochrome : theme
        pairs = [:]
        previous = nil
    }

    public func draw(_ frame: Frame, cursor: (x: Int, y: Int)?) {
        let width = min(frame.width, size.width)
        let height = min(frame.height, size.height)
        let sameShape = previous.map { $0.width == frame.width && $0.height == frame.height } ?? false
        if !sameShape { werase(window) }
        for y in 0..<height {
            // Rows the terminal already shows are left alone: fewer curses calls, same bytes.
            if sameShape, let previous, Self.rowEqual(previous, frame, y) { continue }
            var x = 0
            while x < width {
                // A run never starts on the right half of a wide character: writing there
                // would make ncurses blank the character's left half, drawn by the run before.
                if frame[x, y].isContinuation, !asciiOnly {
                    x += 1
                    continue
                }
                let style = frame[x, y].style
                var run: [wchar_t] = []
                let start = x
                while x < width, frame[x, y].style == style {
                    let cell = frame[x, y]
                    if asciiOnly, cell.isContinuation || !cell.text.utf8.allSatisfy({ $0 < 0x80 }) {
                        // One '?' per column the frame gave it: a wide character's right half
                        // (never ASCII) too.
                        run.append(wchar_t(bitPattern: 0x3F))
                    } else if !cell.isContinuation {
                        for scalar in (cell.text.isEmpty ? " " : cell.text).unicodeScalars { run.append(wchar_t(bitPattern: scalar.value)) }
                    }
                    x += 1
                }
                run.append(0)
                let (attributes, pair) = resolve(style)
                wattr_set(window, attributes, pair, nil)
                _ = run.withUnsafeBufferPointer { mvwaddwstr(window, Int32(y), Int32(start), $0.baseAddress) }
            }
        }
        wattr_set(window, mapitop_a_normal(), 0, nil)
        if let cursor {
            curs_set(1)
            wmove(window, Int32(cursor.y), Int32(cursor.x))
        } else {
            curs_set(0)
        }
        wnoutrefresh(window)
        doupdate()
        previous = frame
    }

    /// Writes the OSC 52 sequences straight to the terminal, after what curses has drawn:
    /// curses would count the bytes as cells and move its idea of the cursor.
    public func copyToClipboard(_ text: String) {
        let sequences = Clipboard.sequences(text, inTmux: options.inTmux)
        var bytes = Array(sequences.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written > 0 {
                bytes = bytes.dropFirst(written)
            } else if written < 0, errno == EINTR || errno == EAGAIN {
                continue
            } else {
                return
            }
        }
    }

    /// Forces a full repaint on the next draw (Ctrl-L).
    public func invalidate() {
        previous = nil
        clearok(window, true)
    }

    private static func rowEqual(_ a: Frame, _ b: Frame, _ y: Int) -> Bool {
        (0..<a.width).allSatisfy { a[$0, y] == b[$0, y] }
    }

    private func resolve(_ style: Style) -> (attr_t, Int16) {
        let roleStyle = options.theme.style(for: style.role)
        var attributes = mapitop_a_normal()
        if style.bold || roleStyle.bold { attributes |= mapitop_a_bold() }
        if style.reverse != roleStyle.reverse { attributes |= mapitop_a_reverse() }
        if style.dim || roleStyle.dim { attributes |= mapitop_a_dim() }
        if style.underline || roleStyle.underline { attributes |= mapitop_a_underline() }
        guard colors > 0 else { return (attributes, 0) }
        let key = PairKey(foreground: ColorMapping.cursesColor(roleStyle.foreground, colors: colors),
                          background: ColorMapping.cursesColor(roleStyle.background, colors: colors))
        if key.foreground == -1, key.background == -1 { return (attributes, 0) }
        if let pair = pairs[key] { return (attributes, pair) }
        guard pairs.count + 1 < maxPairs, pairs.count < Int(Int16.max) else { return (attributes, 0) }
        let pair = Int16(pairs.count + 1)
        init_pair(pair, Int16(key.foreground), Int16(key.background))
        pairs[key] = pair
        return (attributes, pair)
    }

    public func readKey(timeout: Duration) -> Key? {
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        wtimeout(window, milliseconds)
        var character: wint_t = 0
        let result = wget_wch(window, &character)
        if result == ERR { return nil }
        if result == KEY_CODE_YES { return Self.functionKey(Int32(character)) }
        return Self.characterKey(UInt32(character))
    }

    /// What tmux and screen send for these keys whatever TERM says inside them: under
    /// `TERM=xterm-256color` in tmux, End arrives as `ESC [4~`, which that terminfo does not
    /// name, so ncurses handed over four unknown bytes and End did nothing. Bound as htop binds
    /// them; a sequence the terminfo already names keeps its meaning.
    static let sequencesTerminfoMayLack: [(String, Int32)] = [
        ("\u{1B}[1~", KEY_HOME), ("\u{1B}[7~", KEY_HOME), ("\u{1B}[H", KEY_HOME), ("\u{1B}OH", KEY_HOME),
        ("\u{1B}[4~", KEY_END), ("\u{1B}[8~", KEY_END), ("\u{1B}[F", KEY_END), ("\u{1B}OF", KEY_END),
        ("\u{1B}[5~", KEY_PPAGE), ("\u{1B}[6~", KEY_NPAGE), ("\u{1B}[3~", KEY_DC), ("\u{1B}[Z", KEY_BTAB),
        ("\u{1B}[A", KEY_UP), ("\u{1B}OA", KEY_UP), ("\u{1B}[B", KEY_DOWN), ("\u{1B}OB", KEY_DOWN),
        ("\u{1B}[C", KEY_RIGHT), ("\u{1B}OC", KEY_RIGHT), ("\u{1B}[D", KEY_LEFT), ("\u{1B}OD", KEY_LEFT),
    ]

    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_RESIZE: return .resize
        default:
            for number in 1...12 where code == mapitop_key_f(Int32(number)) { return .function(number) }
            return nil
        }
    }

    static func characterKey(_ value: UInt32) -> Key? {
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(value + 96)!))
        default: return Unicode.Scalar(value).map { .character(Character($0)) }
        }
    }

    public func suspend() {
        def_prog_mode()
        endwin()
    }

    public func resume() {
        reset_prog_mode()
        previous = nil
        wrefresh(window)
    }
}
