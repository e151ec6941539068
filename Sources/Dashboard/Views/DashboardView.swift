import Foundation
import ManagementAPI
import Monitor
import Screen

/// The whole screen as a `Frame`, from the state alone (DESIGN.md section 5).
public enum DashboardView {
    public static func render(_ state: State) -> Frame {
        var frame = Frame(width: state.size.width, height: state.size.height)
        guard !state.isTooSmall else {
            TooSmall(minimumWidth: State.minimumWidth, minimumHeight: State.minimumHeight, glyphs: state.glyphs)
                .render(into: frame.bounds, frame: &frame)
            return frame
        }
        let errorRows = ErrorTree.rows(state)
        let layout = Layout(state, errorRows: errorRows)
        HeaderView.render(state, into: layout.header, frame: &frame)
        for (row, banner) in Banners.lines(state).enumerated() where row < layout.banner.height {
            banner.render(into: layout.banner.row(row), frame: &frame)
        }
        TokenTableView.render(state, into: layout.tokens, frame: &frame)
        switch state.lowerView {
        case .errors: ErrorPaneView.render(state, rows: errorRows, layout: layout, frame: &frame)
        case .jobs: JobsView.render(state, layout: layout, frame: &frame)
        case .routes: RoutesView.render(state, layout: layout, frame: &frame)
        }
        let bottomRow = layout.bottom
        if let prompt = state.prompt {
            Prompt(label: promptLabel(state), state: prompt, glyphs: state.glyphs).render(into: bottomRow, frame: &frame)
        } else if let status = state.status {
            StatusLine.render(status, glyphs: state.glyphs, into: bottomRow, frame: &frame)
        } else {
            HintBar.render(state, into: bottomRow, frame: &frame)
        }
        if state.showHelp {
            let body = Rect(x: 0, y: layout.tokens.y, width: state.size.width, height: layout.bottom.y - layout.tokens.y)
            HelpOverlay(title: "mapitop keys", lines: KeyMap.help(state.glyphs), glyphs: state.glyphs)
                .render(into: body, frame: &frame)
        }
        return frame
    }

    /// Where the terminal cursor goes: in the prompt while it is open, else hidden.
    public static func cursor(_ state: State) -> (x: Int, y: Int)? {
        guard let prompt = state.prompt, !state.isTooSmall else { return nil }
        let row = Rect(x: 0, y: state.size.height - 1, width: state.size.width, height: 1)
        return Prompt(label: promptLabel(state), state: prompt, glyphs: state.glyphs).cursorPosition(in: row)
    }

    static func promptLabel(_ state: State) -> String {
        state.promptPurpose == .time ? "go to (-2h, 03:10, 2026-11-25 03:10): " : "/ "
    }
}

enum HeaderView {
    static func render(_ state: State, into rect: Rect, frame: inout Frame) {
        let style = Style(.header, bold: true)
        frame.fill(rect, style: style)
        let host = URL(string: state.session.apiBase)?.host.map { host in
            URL(string: state.session.apiBase)?.port.map { "\(host):\($0)" } ?? host
        } ?? state.session.apiBase
        let separator = " \(state.glyphs.separator) "
        var left = "mapitop  \(host)"
        switch state.session.viewer {
        case .attached(let address):
            left += separator + "recorder \(address)"
            if let since = state.sources.first?.historySince { left += separator + "since " + TokenTableView.age(max(0, state.now.timeIntervalSince(since))) }
            if let tap = state.session.tapAddress { left += separator + "tap \(tap)" }
        case .embedded(let address):
            // The tap first: it is what the jobs point at.
            left += separator + "recording while open"
            if let tap = state.session.tapAddress { left += separator + "tap \(tap)" }
            left += separator + "recorder \(address)"
        case nil:
            left += separator + "probes \(state.session.probesPerMinute)/min"
            if let tap = state.session.tapAddress { left += separator + "tap \(tap)" }
        }
        if state.sources.count > 1 { left += separator + "\(state.sources.count) sources" }
        let live = state.replay != nil ? "REPLAY" : state.paused ? "PAUSED" : "\(state.glyphs.live) live"
        // Where the clock and "? help" do not both fit beside the text, the clock stays and the
        // text is cut: where the screen stands in time is never hidden.
        var right = "\(live)   \(Clock.time(state.now))   ? help "
        if rect.width <= DisplayWidth.of(left) + DisplayWidth.of(right) + 2 { right = "\(live)  \(Clock.time(state.now)) " }
        let rightWidth = DisplayWidth.of(right)
        let room = max(0, rect.width - rightWidth - 2)
        frame.write(TextFit.truncate(" " + left, to: room, glyphs: state.glyphs), x: rect.x, y: rect.y, style: style, clip: rect)
        if rect.width >= rightWidth {
            frame.write(right, x: rect.maxX - rightWidth, y: rect.y, style: style, clip: rect)
        }
    }
}

enum HintBar {
    static func render(_ state: State, into rect: Rect, frame: inout Frame) {
        let style = Style(.hint)
        frame.fill(rect, style: style)
        let text = KeyMap.hints(sort: state.sortName)
        frame.write(TextFit.truncate(text, to: rect.width, glyphs: state.glyphs), x: rect.x, y: rect.y, style: style, clip: rect)
    }
}

/// A notice in place of the key hints, until the next key.
enum StatusLine {
    static func render(_ text: String, glyphs: Glyphs, into rect: Rect, frame: inout Frame) {
        let style = Style(.error, bold: true)
        frame.fill(rect, style: style)
        frame.write(TextFit.truncate(" " + text, to: rect.width, glyphs: glyphs), x: rect.x, y: rect.y, style: style, clip: rect)
    }
}
