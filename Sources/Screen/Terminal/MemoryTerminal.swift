/// A terminal in memory for tests: keys are queued, frames are kept.
public final class MemoryTerminal: Terminal {
    public var size: TerminalSize
    public private(set) var frames: [Frame] = []
    public private(set) var cursor: (x: Int, y: Int)?
    public private(set) var suspended = false
    private var keys: [Key] = []

    public init(width: Int, height: Int) {
        size = TerminalSize(width: width, height: height)
    }

    public var lastFrame: Frame? { frames.last }

    public func type(_ keys: Key...) { self.keys.append(contentsOf: keys) }

    public func type(text: String) { keys.append(contentsOf: text.map(Key.character)) }

    /// Changes the size and queues the resize key, as a real terminal does.
    public func resize(width: Int, height: Int) {
        size = TerminalSize(width: width, height: height)
        keys.append(.resize)
    }

    public func draw(_ frame: Frame, cursor: (x: Int, y: Int)?) {
        frames.append(frame)
        self.cursor = cursor
    }

    public func readKey(timeout: Duration) -> Key? {
        keys.isEmpty ? nil : keys.removeFirst()
    }

    public private(set) var theme: Theme?
    public private(set) var invalidations = 0

    public func apply(theme: Theme) { self.theme = theme }
    public func invalidate() { invalidations += 1 }
    /// What was put on the clipboard, oldest first.
    public private(set) var copied: [String] = []
    public func copyToClipboard(_ text: String) { copied.append(text) }

    public func suspend() { suspended = true }
    public func resume() { suspended = false }
}
