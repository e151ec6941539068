/// A centred line that must be noticed (PAUSED, a lost connection).
public struct Banner: Widget {
    public let text: String
    public let style: Style

    public init(_ text: String, style: Style = Style(.banner, bold: true)) {
        self.text = text
        self.style = style
    }

    public func render(into rect: Rect, frame: inout Frame) {
        guard rect.height > 0, rect.width > 0 else { return }
        let line = rect.row(0)
        frame.fill(line, style: style)
        let fitted = TextFit.truncate(text, to: rect.width)
        frame.write(fitted, x: rect.x + (rect.width - DisplayWidth.of(fitted)) / 2, y: rect.y, style: style, clip: line)
    }
}

/// The screen shown below the minimum size.
public struct TooSmall: Widget {
    public let minimumWidth: Int
    public let minimumHeight: Int
    public let glyphs: Glyphs

    public init(minimumWidth: Int, minimumHeight: Int, glyphs: Glyphs = .unicode) {
        self.minimumWidth = minimumWidth
        self.minimumHeight = minimumHeight
        self.glyphs = glyphs
    }

    public var message: String {
        "terminal too small, need \(minimumWidth)\(glyphs == .ascii ? "x" : "×")\(minimumHeight)"
    }

    public func render(into rect: Rect, frame: inout Frame) {
        guard rect.height > 0, rect.width > 0 else { return }
        let text = TextFit.truncate(message, to: rect.width, glyphs: glyphs)
        frame.write(text, x: rect.x + (rect.width - DisplayWidth.of(text)) / 2, y: rect.y + rect.height / 2,
                    style: Style(.error, bold: true), clip: rect)
    }
}
