/// An outline: expand markers, indentation, a trailing count, selection and scrolling that
/// keeps the selection visible.
public struct Tree: Widget {
    public enum Marker: Sendable, Hashable {
        case expanded, collapsed, leaf, none
    }

    public struct Row: Sendable, Hashable {
        public let depth: Int
        public let marker: Marker
        public let text: String
        public let trailing: String
        public let style: Style

        public init(depth: Int, marker: Marker, text: String, trailing: String = "", style: Style = .plain) {
            self.depth = depth
            self.marker = marker
            self.text = text
            self.trailing = trailing
            self.style = style
        }
    }

    public let rows: [Row]
    public let selected: Int?
    public let offset: Int
    public let glyphs: Glyphs
    /// Whether the selection bar shows (the pane has focus).
    public let focused: Bool

    public init(rows: [Row], selected: Int?, offset: Int = 0, glyphs: Glyphs = .unicode, focused: Bool = true) {
        self.rows = rows
        self.selected = selected
        self.offset = offset
        self.glyphs = glyphs
        self.focused = focused
    }

    /// The first row shown for this height.
    public func firstRow(visible: Int) -> Int {
        Scroll.offset(selected: selected, current: offset, visible: visible, count: rows.count)
    }

    public func render(into rect: Rect, frame: inout Frame) {
        guard rect.height > 0, rect.width > 0 else { return }
        let start = firstRow(visible: rect.height)
        for (line, index) in (start..<min(rows.count, start + rect.height)).enumerated() {
            let row = rows[index]
            let y = rect.y + line
            let marker: String
            switch row.marker {
            case .expanded: marker = glyphs.expanded + " "
            case .collapsed: marker = glyphs.collapsed + " "
            case .leaf: marker = glyphs.leaf + " "
            case .none: marker = "  "
            }
            let indent = String(repeating: "  ", count: row.depth)
            let trailingWidth = row.trailing.isEmpty ? 0 : DisplayWidth.of(row.trailing) + 1
            let textWidth = max(0, rect.width - trailingWidth)
            frame.write(TextFit.truncate(indent + marker + row.text, to: textWidth, glyphs: glyphs), x: rect.x, y: y,
                        style: row.style, clip: rect)
            if !row.trailing.isEmpty, rect.width > trailingWidth {
                frame.write(row.trailing, x: rect.maxX - trailingWidth + 1, y: y, style: row.style, clip: rect)
            }
            if focused, index == selected {
                frame.restyle(rect.row(line)) { $0.reverse = true }
            }
        }
    }
}
