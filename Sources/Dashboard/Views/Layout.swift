import Monitor
import Screen

/// Where each part of the screen goes for a state. The view draws into these rectangles and
/// `update` reads the pane heights from the same place to keep the scroll offsets, so the two
/// can never disagree about how many rows a pane shows.
struct Layout {
    let header: Rect
    /// The banners' rows (REPLAY or PAUSED, sources that are down; empty when there are none).
    let banner: Rect
    /// The token table, its column titles included.
    let tokens: Rect
    /// The error pane's title row.
    let errorTitle: Rect
    let tree: Rect
    /// The detail pane of the selected occurrence (empty when none shows).
    let detail: Rect
    let bottom: Rect

    /// Token rows that fit under the column titles.
    var visibleTokenRows: Int { max(0, tokens.height - 1) }
    var visibleTreeRows: Int { tree.height }
    /// Rows of the Jobs or Routes table under its column titles (they use the tree's place).
    var visibleTableRows: Int { max(0, tree.height - 1) }

    init(_ state: State, errorRows: [ErrorTreeRow]) {
        var area = Rect(x: 0, y: 0, width: state.size.width, height: state.size.height)
        let (headerRow, afterHeader) = area.splitTop(1)
        header = headerRow
        area = afterHeader
        let (bannerRow, afterBanner) = area.splitTop(Banners.lines(state).count)
        banner = bannerRow
        area = afterBanner
        let (body, bottomRow) = area.splitBottom(1)
        bottom = bottomRow
        let tokenRows = min(state.shown.tokens.count + 1, max(3, (body.height - 4) / 3))
        let (tokenArea, errorArea) = body.splitTop(tokenRows)
        tokens = tokenArea
        let (titleRow, rest) = errorArea.splitTop(1)
        errorTitle = titleRow
        let detailHeight = Self.detailOccurrence(state, errorRows: errorRows)
            .map { min(rest.height / 2, 2 + max(1, $0.fieldErrors.count)) } ?? 0
        (tree, detail) = rest.splitBottom(detailHeight)
    }

    /// The occurrence whose details show: the selected one, while the error pane has focus.
    static func detailOccurrence(_ state: State, errorRows: [ErrorTreeRow]) -> Occurrence? {
        guard state.focus == .errors, state.lowerView == .errors else { return nil }
        return errorRows.first { $0.id == state.selectedNode }?.occurrence
    }
}
