/// Values as bars of eight heights, newest at the right; scaled to the largest shown.
public struct Sparkline: Widget, Sendable, Hashable {
    public let values: [Int]
    public let glyphs: Glyphs
    public let style: Style

    public init(values: [Int], glyphs: Glyphs = .unicode, style: Style = Style(.dim)) {
        self.values = values
        self.glyphs = glyphs
        self.style = style
    }

    public func text(width: Int) -> String {
        guard width > 0 else { return "" }
        let shown = Array(values.suffix(width))
        let peak = shown.max() ?? 0
        let levels = glyphs.sparks.count
        let bars = shown.map { value -> String in
            guard peak > 0, value > 0 else { return glyphs.sparks[0] }
            return glyphs.sparks[min(levels - 1, max(1, Int((Double(value) / Double(peak) * Double(levels - 1)).rounded())))]
        }
        return String(repeating: " ", count: width - shown.count) + bars.joined()
    }

    public func render(into rect: Rect, frame: inout Frame) {
        frame.write(text(width: rect.width), x: rect.x, y: rect.y, style: style, clip: rect)
    }
}
