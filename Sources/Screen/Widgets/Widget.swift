/// A widget draws itself into a rectangle of a frame, and nowhere else. Widgets never call
/// curses; only the run loop talks to a `Terminal`.
public protocol Widget {
    func render(into rect: Rect, frame: inout Frame)
}

/// Scrolling that keeps a selection visible with as little movement as possible.
public enum Scroll {
    public static func offset(selected: Int?, current: Int, visible: Int, count: Int) -> Int {
        guard visible > 0, count > visible else { return 0 }
        var offset = min(max(0, current), count - visible)
        if let selected {
            if selected < offset { offset = selected }
            if selected >= offset + visible { offset = selected - visible + 1 }
        }
        return max(0, min(offset, count - visible))
    }
}
