/// A plain grid of cells: what a view renders into and what a terminal draws. Writing
/// sanitizes every string first, measures width as ncurses will (see `DisplayWidth`),
/// clips at the edge and never splits a wide character.
public struct Frame: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// A frame from plain lines (tests compare against these); unstyled.
    public init(lines: [String]) {
        let width = lines.map { DisplayWidth.of(Sanitizer.clean($0)) }.max() ?? 0
        self.init(width: width, height: lines.count)
        for (row, line) in lines.enumerated() { write(line, x: 0, y: row) }
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < width, y < height else { return .blank }
        return cells[y * width + x]
    }

    /// Writes text from (x, y), clipped to `clip` (default: the whole frame). Returns the
    /// columns used.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, style: Style = .plain, clip: Rect? = nil) -> Int {
        let area = (clip ?? bounds).intersection(bounds)
        guard y >= area.y, y < area.maxY else { return 0 }
        var column = x
        // Cell by cell as the terminal will draw them (see DisplayWidth), so what the frame
        // holds is what ncurses and the terminal show, column for column.
        for character in Sanitizer.clean(text) {
            // Most text is printable ASCII (the sanitizer escaped the rest): one cell each.
            if character.isASCII {
                if column + 1 > area.maxX { return max(0, column - x) }
                if column >= area.x { put(Cell(String(character), style: style), x: column, y: y) }
                column += 1
                continue
            }
            for cell in DisplayWidth.cells(of: character) {
                if column + cell.width > area.maxX { return max(0, column - x) }
                if column >= area.x {
                    put(Cell(cell.text, style: style), x: column, y: y)
                    if cell.width == 2 { put(Cell("", style: style, isContinuation: true), x: column + 1, y: y) }
                }
                column += cell.width
            }
        }
        return max(0, column - x)
    }

    /// Fills a rectangle with one character (a space by default) in a style.
    public mutating func fill(_ rect: Rect, with character: String = " ", style: Style = .plain) {
        let area = rect.intersection(bounds)
        guard !area.isEmpty else { return }
        for y in area.y..<area.maxY {
            for x in area.x..<area.maxX { put(Cell(character, style: style), x: x, y: y) }
        }
    }

    /// Changes the style of every cell in a rectangle (selection bars, highlights).
    public mutating func restyle(_ rect: Rect, _ change: (inout Style) -> Void) {
        let area = rect.intersection(bounds)
        guard !area.isEmpty else { return }
        for y in area.y..<area.maxY {
            for x in area.x..<area.maxX { change(&cells[y * width + x].style) }
        }
    }

    /// Places a cell, mending any wide character it cuts in half.
    private mutating func put(_ cell: Cell, x: Int, y: Int) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let index = y * width + x
        // Over the right half of a wide character: its left half would stand alone.
        if !cell.isContinuation, cells[index].isContinuation, x > 0 {
            cells[index - 1] = Cell(" ", style: cells[index - 1].style)
        }
        // Over the left half of a wide character: its right half would stand alone.
        if !cells[index].isContinuation, x + 1 < width, cells[index + 1].isContinuation {
            cells[index + 1] = Cell(" ", style: cells[index + 1].style)
        }
        cells[index] = cell
    }

    /// The text of a row, continuation cells skipped.
    public func line(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        return cells[(y * width)..<((y + 1) * width)].filter { !$0.isContinuation }.map(\.text).joined()
    }

    public var lines: [String] { (0..<height).map(line) }

    /// The rows with trailing spaces removed: what tests and text captures compare.
    public var trimmedLines: [String] {
        lines.map { line in
            var text = line
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
    }
}
