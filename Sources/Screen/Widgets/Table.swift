/// Columns with minimum and maximum widths, right-aligned numbers, elided text, and cells
/// that draw a gauge or a sparkline. Columns of lowest priority go first when narrow.
public struct Table: Widget {
    public struct Column: Sendable {
        public let title: String
        public let minWidth: Int
        public let maxWidth: Int
        public let alignRight: Bool
        /// Lower goes first when the width does not fit every column.
        public let priority: Int

        public init(_ title: String, min: Int, max: Int? = nil, alignRight: Bool = false, priority: Int = 0) {
            self.title = title
            self.minWidth = min
            self.maxWidth = Swift.max(min, max ?? min)
            self.alignRight = alignRight
            self.priority = priority
        }
    }

    public enum Content: Sendable {
        case text(String, Style)
        case gauge(Gauge)
        case sparkline(Sparkline)
    }

    public let columns: [Column]
    public let rows: [[Content]]
    public let selected: Int?
    public let offset: Int
    public let glyphs: Glyphs
    public let headerStyle: Style

    public init(columns: [Column], rows: [[Content]], selected: Int? = nil, offset: Int = 0, glyphs: Glyphs = .unicode,
                headerStyle: Style = Style(.title, bold: true))
    {
        self.columns = columns
        self.rows = rows
        self.selected = selected
        self.offset = offset
        self.glyphs = glyphs
        self.headerStyle = headerStyle
    }

    /// The width of each column (0 for a column dropped), for a total width.
    public func widths(for total: Int) -> [Int] {
        var kept = Set(columns.indices)
        func needed() -> Int {
            kept.reduce(0) { $0 + columns[$1].minWidth } + Swift.max(0, kept.count - 1)
        }
        while needed() > total, let drop = kept.min(by: { (columns[$0].priority, -$0) < (columns[$1].priority, -$1) }) {
            kept.remove(drop)
        }
        var widths = columns.indices.map { kept.contains($0) ? columns[$0].minWidth : 0 }
        var spare = total - needed()
        for index in columns.indices where kept.contains(index) && spare > 0 {
            let grow = Swift.min(spare, columns[index].maxWidth - widths[index])
            widths[index] += grow
            spare -= grow
        }
        return widths
    }

    public func render(into rect: Rect, frame: inout Frame) {
        guard rect.height > 0, rect.width > 0 else { return }
        let widths = widths(for: rect.width)
        func draw(_ row: [Content], y: Int) {
            var x = rect.x
            for (index, width) in widths.enumerated() where width > 0 {
                let cell = Rect(x: x, y: y, width: width, height: 1).intersection(rect)
                switch index < row.count ? row[index] : .text("", .plain) {
                case .text(let text, let style):
                    frame.write(TextFit.pad(text, to: width, alignRight: columns[index].alignRight, glyphs: glyphs),
                                x: x, y: y, style: style, clip: cell)
                case .gauge(let gauge): gauge.render(into: cell, frame: &frame)
                case .sparkline(let sparkline): sparkline.render(into: cell, frame: &frame)
                }
                x += width + 1
            }
        }
        draw(columns.map { .text($0.title, headerStyle) }, y: rect.y)
        let body = rect.splitTop(1).rest
        let start = Scroll.offset(selected: selected, current: offset, visible: body.height, count: rows.count)
        for (line, index) in (start..<Swift.min(rows.count, start + body.height)).enumerated() {
            draw(rows[index], y: body.y + line)
            if index == selected {
                frame.restyle(body.row(line)) { $0.reverse = true }
            }
        }
    }
}
