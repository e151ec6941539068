/// A bordered box of key bindings, centred over whatever is beneath.
public struct HelpOverlay: Widget {
    public let title: String
    public let lines: [(keys: String, action: String)]
    public let glyphs: Glyphs

    public init(title: String, lines: [(keys: String, action: String)], glyphs: Glyphs = .unicode) {
        self.title = title
        self.lines = lines
        self.glyphs = glyphs
    }

    public func render(into rect: Rect, frame: inout Frame) {
        let keyWidth = lines.map { DisplayWidth.of($0.keys) }.max() ?? 0
        let actionWidth = lines.map { DisplayWidth.of($0.action) }.max() ?? 0
        let width = min(rect.width, max(keyWidth + actionWidth + 6, DisplayWidth.of(title) + 4))
        let height = min(rect.height, lines.count + 4)
        guard width >= 4, height >= 3 else { return }
        let box = Rect(x: rect.x + (rect.width - width) / 2, y: rect.y + (rect.height - height) / 2, width: width, height: height)
        let border = Style(.border)
        frame.fill(box)
        let (topLeft, topRight, bottomLeft, bottomRight) = glyphs.corners
        let rule = String(repeating: glyphs.horizontal, count: width - 2)
        frame.write(topLeft + rule + topRight, x: box.x, y: box.y, style: border)
        frame.write(bottomLeft + rule + bottomRight, x: box.x, y: box.maxY - 1, style: border)
        for y in (box.y + 1)..<(box.maxY - 1) {
            frame.write(glyphs.vertical, x: box.x, y: y, style: border)
            frame.write(glyphs.vertical, x: box.maxX - 1, y: y, style: border)
        }
        let inner = box.inset(by: 1)
        frame.write(" " + title + " ", x: box.x + 2, y: box.y, style: Style(.title, bold: true), clip: box)
        for (index, line) in lines.prefix(max(0, inner.height - 2)).enumerated() {
            let y = inner.y + 1 + index
            frame.write(TextFit.pad(line.keys, to: keyWidth), x: inner.x + 1, y: y, style: Style(.title, bold: true), clip: inner)
            frame.write(line.action, x: inner.x + 2 + keyWidth + 1, y: y, clip: inner)
        }
    }
}
