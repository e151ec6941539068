import Foundation
import ManagementAPI
import Monitor
import Screen

/// TOKEN USED QUOTA LEFT AGE 429s ERR/m LAST STATE 10 MIN
enum TokenTableView {
    static let columns = [
        Table.Column("TOKEN", min: 8, max: 20, priority: 9),
        Table.Column("USED", min: 6, alignRight: true, priority: 8),
        Table.Column("QUOTA", min: 8, max: 24, priority: 5),
        Table.Column("LEFT", min: 4, alignRight: true, priority: 7),
        Table.Column("AGE", min: 4, alignRight: true, priority: 6),
        Table.Column("429s", min: 4, alignRight: true, priority: 4),
        Table.Column("ERR/m", min: 5, alignRight: true, priority: 3),
        Table.Column("LAST", min: 5, priority: 2),
        Table.Column("STATE", min: 12, priority: 8),
        Table.Column("10 MIN", min: 6, max: 30, priority: 1),
    ]

    static func render(_ state: State, into rect: Rect, frame: inout Frame) {
        let tokens = state.sortedTokens
        guard !tokens.isEmpty else {
            frame.write(" TOKENS  none configured or seen yet: add [[token]] to the config, or call through the tap",
                        x: rect.x, y: rect.y, style: Style(.dim), clip: rect)
            return
        }
        let rows = tokens.map { row(for: $0, glyphs: state.glyphs) }
        let selected = state.focus == .tokens ? tokens.firstIndex { $0.reference.fingerprint == state.selectedToken } : nil
        Table(columns: columns, rows: rows, selected: selected, offset: state.tokenOffset, glyphs: state.glyphs)
            .render(into: rect, frame: &frame)
    }

    static func row(for token: TokenRow, glyphs: Glyphs) -> [Table.Content] {
        let stateStyle = Style(role(token.state), bold: token.state > .warn)
        return [
            .text(token.reference.displayName, Style(.text, bold: true)),
            // A used figure from mapitop's own count, not the server's, is marked with '*'.
            .text("\(CompactCount.text(token.used))/\(CompactCount.text(token.limit))" + (token.usageSource == .seen ? "*" : ""), stateStyle),
            .gauge(Gauge(used: token.used, limit: token.limit, glyphs: glyphs)),
            .text(token.remaining.map(CompactCount.text) ?? "-", .plain),
            .text(age(token.ageSeconds), .plain),
            .text(CompactCount.text(token.limitedInWindow), token.limitedInWindow > 0 ? Style(.stateCritical, bold: true) : .plain),
            .text(CompactCount.text(token.errorsInWindow), token.errorsInWindow > 0 ? Style(.class4xx) : .plain),
            .text(last(token.lastOutcome), lastStyle(token.lastOutcome)),
            .text(stateText(token), stateStyle),
            .sparkline(Sparkline(values: token.sparkline, glyphs: glyphs)),
        ]
    }

    static func age(_ seconds: Double?) -> String {
        guard let seconds else { return "-" }
        if seconds < 60 { return "\(Int(seconds))s" }
        if seconds < 3_600 { return "\(Int(seconds / 60))m" }
        if seconds < 2 * 86_400 { return "\(Int(seconds / 3_600))h" }
        return "\(Int(seconds / 86_400))d"
    }

    static func last(_ outcome: CallOutcome?) -> String {
        switch outcome {
        case .status(let code)?: String(code)
        case .transport(let failure)?: String(failure.rawValue.prefix(5))
        case nil: "-"
        }
    }

    static func lastStyle(_ outcome: CallOutcome?) -> Style {
        guard let outcome else { return .plain }
        return Style(ErrorTree.role(outcome.statusClass))
    }

    /// The state, with the forecast when the quota is running out.
    static func stateText(_ token: TokenRow) -> String {
        if let forecast = token.forecastSeconds, token.state < .limited { return "\(token.state.rawValue) \(Int(forecast))s" }
        return token.state.rawValue
    }

    static func role(_ state: TokenState) -> Role {
        switch state {
        case .idle: .dim
        case .ok: .stateOK
        case .warn: .stateWarn
        case .critical, .limited: .stateCritical
        case .unauthorized, .unreachable: .stateDown
        }
    }
}
