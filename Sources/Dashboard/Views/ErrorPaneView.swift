import Foundation
import ManagementAPI
import Monitor
import Screen

/// The error tree with its title line, and the detail pane of the selected occurrence.
enum ErrorPaneView {
    static func render(_ state: State, rows: [ErrorTreeRow], layout: Layout, frame: inout Frame) {
        let titleRow = layout.errorTitle
        guard titleRow.height > 0 else { return }
        let minutes = Int(state.shown.errorWindow / 60)
        PaneTitle.render(state, "ERRORS  last \(minutes) min", into: titleRow, frame: &frame)
        let treeArea = layout.tree
        if rows.isEmpty {
            let message = state.filter.isEmpty ? " no calls seen yet" : " nothing matches the filter (Esc clears it)"
            frame.write(message, x: treeArea.x, y: treeArea.y, style: Style(.dim), clip: treeArea)
        } else {
            // The offset is update's (it keeps the selection in view); the tree only draws from it.
            Tree(rows: rows.map(\.row), selected: rows.firstIndex { $0.id == state.selectedNode }, offset: state.errorOffset,
                 glyphs: state.glyphs, focused: state.focus == .errors).render(into: treeArea, frame: &frame)
        }
        if let detail = Layout.detailOccurrence(state, errorRows: rows) {
            DetailView.render(detail, into: layout.detail, frame: &frame, glyphs: state.glyphs)
        }
    }
}

/// Request id, time, token, method, path, status, latency, and one line per field error.
enum DetailView {
    static func render(_ occurrence: Occurrence, into rect: Rect, frame: inout Frame, glyphs: Glyphs) {
        guard rect.height > 0 else { return }
        let record = occurrence.record
        frame.fill(rect.row(0), with: glyphs.horizontal, style: Style(.border))
        let status: String
        switch record.outcome {
        case .status(let code): status = "\(code) \(StandardCodes.reasonPhrase(code))"
        case .transport(let failure): status = failure.summary
        }
        let separator = " \(glyphs.separator) "
        let line = [
            "req " + (record.rate.requestID ?? "-"), Clock.time(record.time), record.token.displayName,
            record.method + " " + record.path, status, "\(record.latency.milliseconds) ms",
        ].joined(separator: separator)
        frame.write(line, x: rect.x + 1, y: rect.y + 1, style: Style(.text, bold: true), clip: rect)
        let fields = occurrence.fieldErrors
        if fields.isEmpty {
            let entries = record.errors.map { "\($0.code): \($0.description)" }.joined(separator: "  ")
            frame.write(entries, x: rect.x + 3, y: rect.y + 2, clip: rect)
            return
        }
        let codeWidth = min(20, fields.map { $0.code.count }.max() ?? 0)
        let fieldWidth = min(32, fields.map { $0.detail?.field.count ?? 0 }.max() ?? 0)
        for (index, entry) in fields.enumerated() where rect.y + 2 + index < rect.maxY {
            var parts = [TextFit.pad(entry.code, to: codeWidth, glyphs: glyphs)]
            if let detail = entry.detail {
                parts.append(TextFit.pad(detail.field, to: fieldWidth, glyphs: glyphs))
                parts.append(detail.constraint.map { "\(constraintLabel(entry.code)) \($0)" } ?? "")
                if let provided = detail.provided { parts.append("got '\(provided)'") }
            } else {
                parts.append(entry.description)
            }
            frame.write(parts.filter { !$0.isEmpty }.joined(separator: "  "), x: rect.x + 3, y: rect.y + 2 + index,
                        style: Style(.class4xx), clip: rect)
        }
    }

    /// What the seed's template says the constraint is: a limit, a type, a format rule, the
    /// field it clashes with, or the action that ran out (`You cannot 'create' any more`).
    static func constraintLabel(_ code: String) -> String {
        switch code {
        case "invalid_type": "type"
        case "invalid_format": "cannot"
        case "not_allowed": "with"
        case "resource_exhausted": "cannot"
        default: "limit"
        }
    }
}

/// The lower pane's title row: the view's name and window, the views `1 2 3` switch
/// between, and the filter on the right.
enum PaneTitle {
    static func render(_ state: State, _ title: String, into titleRow: Rect, frame: inout Frame) {
        frame.write(" " + title, x: titleRow.x, y: titleRow.y, style: Style(.title, bold: true), clip: titleRow)
        var right = LowerView.allCases.enumerated().map { index, view in
            view == state.lowerView ? "[\(index + 1) \(view.rawValue)]" : "\(index + 1) \(view.rawValue)"
        }.joined(separator: " ") + " "
        if !state.filter.isEmpty { right = "filter: " + state.filter.description + "  " + right }
        let fitted = TextFit.truncate(right, to: max(0, titleRow.width - DisplayWidth.of(title) - 3), glyphs: state.glyphs)
        frame.write(fitted, x: titleRow.maxX - DisplayWidth.of(fitted), y: titleRow.y,
                    style: state.filter.isEmpty ? Style(.dim) : Style(.banner), clip: titleRow)
    }
}
