import Screen

/// What a key does on the dashboard (outside the prompt, the help and the quit question).
enum Command: Sendable, Hashable {
    case move(by: Int)
    case page(by: Int)
    case first, last
    /// End: back to live from the past (atop's and below's key); live, the last row.
    case liveOrLast
    case step(seconds: Double)
    case goTo
    case switchPane
    case expand, collapse
    case filter, clearFilter
    case filterByToken, filterByCode
    case pause
    case sort
    case show(LowerView)
    case theme
    case copy
    case redraw
    case help
    case quit
}

/// One binding of the key map (DESIGN.md section 5), as bubbles' `key.Binding`: its keys with
/// the command each runs, how the help overlay names the keys and what it says of them, and
/// its word in the hint bar. `Keys.handle`, `HintBar` and the help overlay all read
/// `KeyMap.bindings`; nothing else names a key.
struct KeyBinding: Sendable {
    let keys: [(key: Key, command: Command)]
    /// The keys as the help shows them; `{up}` and `{down}` become the glyphs' arrows.
    let label: String
    let help: String
    /// Its word in the hint bar, when it has one; `{sort}` becomes the current sort.
    let hint: String?

    init(_ label: String, _ help: String, hint: String? = nil, _ keys: [(key: Key, command: Command)]) {
        self.label = label
        self.help = help
        self.hint = hint
        self.keys = keys
    }
}

enum KeyMap {
    /// The bindings the hint bar names come first, in its order; `q` last, as the bar ends.
    static let bindings: [KeyBinding] = [
        KeyBinding("/", "filter; Esc clears it", hint: "/ filter", [(.character("/"), .filter), (.escape, .clearFilter)]),
        KeyBinding("Enter  +", "expand (on a token: its errors)", hint: "Enter expand",
                   [(.enter, .expand), (.character("+"), .expand), (.right, .expand)]),
        KeyBinding("Tab  Shift-Tab", "switch pane", hint: "Tab pane", [(.tab, .switchPane), (.backTab, .switchPane)]),
        KeyBinding("1  2  3", "errors, jobs, routes below (Enter on a job or route: its errors)", hint: "1 2 3 view",
                   [(.character("1"), .show(.errors)), (.character("2"), .show(.jobs)), (.character("3"), .show(.routes))]),
        KeyBinding("t  c", "filter by the selected token / code", hint: "t token  c code",
                   [(.character("t"), .filterByToken), (.character("c"), .filterByCode)]),
        KeyBinding("[  ]", "one minute back / forward in time", hint: "[ ] time",
                   [(.character("["), .step(seconds: -60)), (.character("]"), .step(seconds: 60))]),
        KeyBinding("Z", "pause the screen (data keeps coming)", hint: "Z pause", [(.character("Z"), .pause)]),
        KeyBinding("s", "sort the focused table (tokens, jobs or routes)", hint: "s sort({sort})", [(.character("s"), .sort)]),
        KeyBinding("T", "next theme", hint: "T theme", [(.character("T"), .theme)]),
        KeyBinding("{up} {down}  j k", "move the selection", [
            (.up, .move(by: -1)), (.character("k"), .move(by: -1)), (.down, .move(by: 1)), (.character("j"), .move(by: 1)),
        ]),
        KeyBinding("PgUp PgDn  g G", "page, first, last", [
            (.pageUp, .page(by: -1)), (.pageDown, .page(by: 1)), (.character("g"), .first), (.home, .first), (.character("G"), .last),
        ]),
        KeyBinding("-", "collapse", [(.character("-"), .collapse), (.left, .collapse)]),
        KeyBinding("y", "copy the selected call as curl (OSC 52)", [(.character("y"), .copy)]),
        KeyBinding("{  }", "ten minutes back / forward", [(.character("{"), .step(seconds: -600)), (.character("}"), .step(seconds: 600))]),
        KeyBinding("b", "go to a time: -2h, 03:10, 2026-11-25 03:10", [(.character("b"), .goTo)]),
        KeyBinding("End", "back to live", [(.end, .liveOrLast)]),
        KeyBinding("Ctrl-L", "redraw", [(.control("l"), .redraw)]),
        KeyBinding("?", "this help", [(.character("?"), .help)]),
        KeyBinding("q  Ctrl-C", "quit", hint: "q quit", [(.character("q"), .quit), (.control("c"), .quit)]),
    ]

    /// The command of `key`, if any binding has it.
    static func command(for key: Key) -> Command? {
        for binding in bindings {
            if let match = binding.keys.first(where: { $0.key == key }) { return match.command }
        }
        return nil
    }

    /// The hint bar's text: the hints in the bindings' order.
    static func hints(sort: String) -> String {
        " " + bindings.compactMap { $0.hint?.replacingOccurrences(of: "{sort}", with: sort) }.joined(separator: "  ")
    }

    /// The help overlay's lines: each binding's keys and what it does, then the filter terms.
    static func help(_ glyphs: Glyphs) -> [(keys: String, action: String)] {
        bindings.map { binding in
            (binding.label.replacingOccurrences(of: "{up}", with: glyphs.arrowUp).replacingOccurrences(of: "{down}", with: glyphs.arrowDown),
             binding.help)
        } + [("", ""), ("filter terms", "token: code: status:429|4xx field: method: path: job: route: word !negate")]
    }
}
