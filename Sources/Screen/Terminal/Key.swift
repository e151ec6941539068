/// A key press, as the terminal reports it.
public enum Key: Sendable, Hashable {
    case character(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    /// Ctrl plus a letter, lowercase (Ctrl-L is `.control("l")`).
    case control(Character)
    case function(Int)
    /// The terminal changed size.
    case resize
}

/// The size of a terminal in cells.
public struct TerminalSize: Sendable, Hashable {
    public let width: Int
    public let height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}
