/// The only door to a screen. The run loop owns one and calls it from one thread; views
/// and widgets never see it.
public protocol Terminal: AnyObject {
    var size: TerminalSize { get }
    /// Shows a frame; the cursor is hidden unless a position is given.
    func draw(_ frame: Frame, cursor: (x: Int, y: Int)?)
    /// The next key, or nil when `timeout` passes first.
    func readKey(timeout: Duration) -> Key?
    /// Gives the screen back (for a shell escape, or before exit) and takes it again.
    func suspend()
    func resume()
    /// Colours roles from now on.
    func apply(theme: Theme)
    /// Repaints everything on the next draw (Ctrl-L, after a theme change).
    func invalidate()
    /// Puts text on the clipboard of the terminal the person sits at (OSC 52; see `Clipboard`).
    func copyToClipboard(_ text: String)
}
