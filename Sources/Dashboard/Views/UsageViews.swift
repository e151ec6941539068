import Foundation
import ManagementAPI
import Monitor
import Screen

/// `2`: who is spending each token (DESIGN.md section 12).
/// JOB TOKEN CALLS/m SHARE 4xx 5xx 429s P95 LAST
enum JobsView {
    static let columns = [
        Table.Column("JOB", min: 8, max: 32, priority: 9),
        Table.Column("TOKEN", min: 6, max: 20, priority: 8),
        Table.Column("CALLS/m", min: 7, alignRight: true, priority: 9),
        Table.Column("SHARE", min: 5, alignRight: true, priority: 7),
        Table.Column("4xx", min: 4, alignRight: true, priority: 5),
        Table.Column("5xx", min: 4, alignRight: true, priority: 4),
        Table.Column("429s", min: 4, alignRight: true, priority: 6),
        Table.Column("P95", min: 6, alignRight: true, priority: 3),
        Table.Column("LAST", min: 4, alignRight: true, priority: 2),
    ]

    static func render(_ state: State, layout: Layout, frame: inout Frame) {
        let jobs = state.sortedJobs
        UsagePane(
            title: "JOBS  calls last minute, errors and p95 last \(Int(state.shown.errorWindow / 60)) min",
            empty: state.filter.isEmpty
                ? " no calls through the tap yet: jobs are named by [[job]] rules, their script or program, or User-Agent"
                : " no job matches the filter (Esc clears it)",
            columns: columns, rows: jobs.map { row(for: $0, now: state.shown.time) },
            selected: jobs.firstIndex { LowerPane.id($0) == state.selectedJob }, offset: state.jobOffset
        ).render(state, layout: layout, frame: &frame)
    }

    static func row(for job: JobRow, now: Date) -> [Table.Content] {
        let share = Int((job.shareOfLimit * 100).rounded())
        return [
            .text(job.job, Style(.text, bold: true)),
            .text(job.token.displayName, .plain),
            .text(CompactCount.text(job.callsInWindow), .plain),
            .text("\(share)%", share >= 50 ? Style(.stateWarn, bold: true) : .plain),
            .text(CompactCount.text(job.clientErrors), job.clientErrors > 0 ? Style(.class4xx) : .plain),
            .text(CompactCount.text(job.serverErrors), job.serverErrors > 0 ? Style(.class5xx) : .plain),
            .text(CompactCount.text(job.limited), job.limited > 0 ? Style(.stateCritical, bold: true) : .plain),
            .text(LatencyText.of(job.p95), .plain),
            .text(TokenTableView.age(job.lastCall.map { max(0, now.timeIntervalSince($0)) }), .plain),
        ]
    }
}

/// `3`: where the calls go, ids named (DESIGN.md section 12).
/// METHOD ROUTE CALLS/m CALLS 4xx 5xx P50 P95 P99
enum RoutesView {
    static let columns = [
        Table.Column("METHOD", min: 6, priority: 8),
        Table.Column("ROUTE", min: 16, max: 64, priority: 9),
        Table.Column("CALLS/m", min: 7, alignRight: true, priority: 9),
        Table.Column("CALLS", min: 5, alignRight: true, priority: 3),
        Table.Column("4xx", min: 4, alignRight: true, priority: 6),
        Table.Column("5xx", min: 4, alignRight: true, priority: 5),
        Table.Column("P50", min: 6, alignRight: true, priority: 2),
        Table.Column("P95", min: 6, alignRight: true, priority: 7),
        Table.Column("P99", min: 6, alignRight: true, priority: 4),
    ]

    static func render(_ state: State, layout: Layout, frame: inout Frame) {
        let routes = state.sortedRoutes
        UsagePane(
            title: "ROUTES  calls last minute, the rest last \(Int(state.shown.errorWindow / 60)) min",
            empty: state.filter.isEmpty ? " no calls seen yet" : " no route matches the filter (Esc clears it)",
            columns: columns, rows: routes.map(row(for:)),
            selected: routes.firstIndex { LowerPane.id($0) == state.selectedRoute }, offset: state.routeOffset
        ).render(state, layout: layout, frame: &frame)
    }

    static func row(for route: RouteRow) -> [Table.Content] {
        [
            .text(route.method, Style(.text, bold: true)),
            .text(route.route, .plain),
            .text(CompactCount.text(route.callsInWindow), .plain),
            .text(CompactCount.text(route.calls), .plain),
            .text(CompactCount.text(route.clientErrors), route.clientErrors > 0 ? Style(.class4xx) : .plain),
            .text(CompactCount.text(route.serverErrors + route.transport), route.serverErrors + route.transport > 0 ? Style(.class5xx) : .plain),
            .text(LatencyText.of(route.p50), .plain),
            .text(LatencyText.of(route.p95), .plain),
            .text(LatencyText.of(route.p99), .plain),
        ]
    }
}

/// The Jobs or the Routes view in the lower pane: its title, its table (the selection shown
/// while the pane has the keyboard), or why it is empty.
struct UsagePane {
    let title: String
    let empty: String
    let columns: [Table.Column]
    let rows: [[Table.Content]]
    let selected: Int?
    let offset: Int

    func render(_ state: State, layout: Layout, frame: inout Frame) {
        PaneTitle.render(state, title, into: layout.errorTitle, frame: &frame)
        guard !rows.isEmpty else {
            frame.write(empty, x: layout.tree.x, y: layout.tree.y, style: Style(.dim), clip: layout.tree)
            return
        }
        Table(columns: columns, rows: rows, selected: state.focus == .errors ? selected : nil, offset: offset, glyphs: state.glyphs)
            .render(into: layout.tree, frame: &frame)
    }
}

/// A percentile as the views show it: `-` for none, `850ms`, `1.2s`, `60s+`.
enum LatencyText {
    static func of(_ duration: Duration?) -> String {
        guard let duration else { return "-" }
        let milliseconds = Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
        if milliseconds >= 60_000 { return "60s+" }
        if milliseconds >= 10_000 { return "\(Int(milliseconds / 1_000))s" }
        if milliseconds >= 1_000 { return String(format: "%.1fs", milliseconds / 1_000) }
        if milliseconds >= 10 { return "\(Int(milliseconds.rounded()))ms" }
        return String(format: "%.1fms", milliseconds)
    }
}
