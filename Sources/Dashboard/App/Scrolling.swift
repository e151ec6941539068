import Screen

/// The scroll position of each pane, kept the way htop and k9s keep it: the selection moves
/// within the view, and the view scrolls only when the selection would leave it; PgUp and
/// PgDn move the view and the selection by a page together. Views only read the offsets.
enum Scrolling {
    /// Moves each pane's offset just as far as its selection needs to stay in view, and
    /// never past the end of the rows (after a resize, a collapse or new data).
    static func keepSelectionVisible(_ state: inout State) {
        // Nothing shows below the minimum size: keep the offsets for when it grows again.
        guard !state.isTooSmall else { return }
        let rows = ErrorTree.rows(state)
        let layout = Layout(state, errorRows: rows)
        let tokens = state.sortedTokens
        state.tokenOffset = Scroll.offset(
            selected: tokens.firstIndex { $0.reference.fingerprint == state.selectedToken }, current: state.tokenOffset,
            visible: layout.visibleTokenRows, count: tokens.count)
        state.errorOffset = Scroll.offset(
            selected: rows.firstIndex { $0.id == state.selectedNode }, current: state.errorOffset,
            visible: layout.visibleTreeRows, count: rows.count)
        let (selected, count) = LowerPane.position(state)
        switch state.lowerView {
        case .errors: break
        case .jobs:
            state.jobOffset = Scroll.offset(selected: selected, current: state.jobOffset, visible: layout.visibleTableRows, count: count)
        case .routes:
            state.routeOffset = Scroll.offset(selected: selected, current: state.routeOffset, visible: layout.visibleTableRows, count: count)
        }
    }

    /// PgUp (-1) and PgDn (+1): the selection and the view move one page of the focused pane
    /// together, so the selection keeps its row on screen; at either end the selection goes on
    /// to the first or last row.
    static func page(_ state: inout State, by pages: Int) {
        let layout = Layout(state, errorRows: ErrorTree.rows(state))
        let visible = state.focus == .tokens ? layout.visibleTokenRows
            : state.lowerView == .errors ? layout.visibleTreeRows : layout.visibleTableRows
        let step = max(1, visible) * pages
        Selection.move(&state, by: step)
        switch (state.focus, state.lowerView) {
        case (.tokens, _): state.tokenOffset = max(0, state.tokenOffset + step)
        case (.errors, .errors): state.errorOffset = max(0, state.errorOffset + step)
        case (.errors, .jobs): state.jobOffset = max(0, state.jobOffset + step)
        case (.errors, .routes): state.routeOffset = max(0, state.routeOffset + step)
        }
    }
}
