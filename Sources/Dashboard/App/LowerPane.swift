import Monitor

/// The Jobs and Routes views of the lower pane (DESIGN.md section 12): which one shows,
/// their selection (on a stable identity across snapshots), their sort, and Enter, which
/// filters the errors to the selected job or route and shows them.
enum LowerPane {
    static func show(_ view: LowerView, _ state: inout State) {
        state.lowerView = view
        // Jobs and routes are for reading: they take the keyboard (as k9s' views do).
        if view != .errors { state.focus = .errors }
        repair(&state)
    }

    static func sort(_ state: inout State) {
        guard state.focus == .errors else {
            state.sort = state.sort.next
            return
        }
        switch state.lowerView {
        case .errors: state.sort = state.sort.next
        case .jobs: state.jobSort = state.jobSort.cycled
        case .routes: state.routeSort = state.routeSort.cycled
        }
    }

    static func id(_ row: JobRow) -> JobID { JobID(token: row.token.fingerprint, job: row.job) }
    static func id(_ row: RouteRow) -> RouteID { RouteID(method: row.method, route: row.route) }

    static func selectedJob(_ state: State) -> JobRow? {
        let rows = state.sortedJobs
        return rows.first { id($0) == state.selectedJob } ?? rows.first
    }

    static func selectedRoute(_ state: State) -> RouteRow? {
        let rows = state.sortedRoutes
        return rows.first { id($0) == state.selectedRoute } ?? rows.first
    }

    static func move(_ state: inout State, by delta: Int) {
        switch state.lowerView {
        case .errors: return
        case .jobs:
            let rows = state.sortedJobs
            guard !rows.isEmpty else { return }
            let current = rows.firstIndex { id($0) == state.selectedJob } ?? 0
            state.selectedJob = id(rows[clamped(current, delta, rows.count)])
        case .routes:
            let rows = state.sortedRoutes
            guard !rows.isEmpty else { return }
            let current = rows.firstIndex { id($0) == state.selectedRoute } ?? 0
            state.selectedRoute = id(rows[clamped(current, delta, rows.count)])
        }
    }

    private static func clamped(_ index: Int, _ delta: Int, _ count: Int) -> Int {
        min(max(0, index.addingReportingOverflow(delta).partialValue), count - 1)
    }

    /// Enter: the errors of the selected job (`job:`) or route (`route:`), shown (Esc clears the
    /// filter; Enter on a row whose filter already holds clears it too).
    static func filterBySelected(_ state: inout State) {
        switch state.lowerView {
        case .errors: return
        case .jobs:
            guard let row = selectedJob(state) else { return }
            QuickFilter.apply(.job, row.job, &state)
        case .routes:
            guard let row = selectedRoute(state) else { return }
            QuickFilter.apply(.route, row.route, &state)
        }
        state.lowerView = .errors
        state.selectedNode = nil
    }

    /// Keeps each view's selection on a row that exists.
    static func repair(_ state: inout State) {
        let jobs = state.sortedJobs
        if !jobs.contains(where: { id($0) == state.selectedJob }) { state.selectedJob = jobs.first.map(id) }
        let routes = state.sortedRoutes
        if !routes.contains(where: { id($0) == state.selectedRoute }) { state.selectedRoute = routes.first.map(id) }
    }

    /// The selected row's index in the view showing, and the view's row count.
    static func position(_ state: State) -> (selected: Int?, count: Int) {
        switch state.lowerView {
        case .errors: return (nil, 0)
        case .jobs:
            let rows = state.sortedJobs
            return (rows.firstIndex { id($0) == state.selectedJob }, rows.count)
        case .routes:
            let rows = state.sortedRoutes
            return (rows.firstIndex { id($0) == state.selectedRoute }, rows.count)
        }
    }
}
