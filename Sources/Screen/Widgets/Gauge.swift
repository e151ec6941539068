/// USED against the limit as a bar: ok, warn and critical roles at the thresholds.
public struct Gauge: Widget, Sendable, Hashable {
    public let used: Int
    public let limit: Int
    public let warnRatio: Double
    public let criticalRatio: Double
    public let glyphs: Glyphs

    public init(used: Int, limit: Int, warnRatio: Double = 0.7, criticalRatio: Double = 0.9, glyphs: Glyphs = .unicode) {
        self.used = used
        self.limit = limit
        self.warnRatio = warnRatio
        self.criticalRatio = criticalRatio
        self.glyphs = glyphs
    }

    public var ratio: Double { limit > 0 ? min(1, max(0, Double(used) / Double(limit))) : 0 }

    public var role: Role {
        if ratio >= criticalRatio { return .gaugeCritical }
        if ratio >= warnRatio { return .gaugeWarn }
        return .gaugeOK
    }

    public func render(into rect: Rect, frame: inout Frame) {
        guard rect.width > 0, rect.height > 0 else { return }
        let filled = Int((ratio * Double(rect.width)).rounded())
        let bar = Style(role)
        frame.write(String(repeating: glyphs.gaugeFull, count: filled), x: rect.x, y: rect.y, style: bar, clip: rect)
        frame.write(String(repeating: glyphs.gaugeEmpty, count: rect.width - filled), x: rect.x + filled, y: rect.y,
                    style: Style(.gaugeEmpty), clip: rect)
    }
}
