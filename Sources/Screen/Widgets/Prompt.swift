/// A one-line editor: text, a cursor by grapheme, history, and an error to show. Pure
/// value: the dashboard's `update` calls these methods; the view renders it.
public struct PromptState: Sendable, Hashable {
    public private(set) var text: String = ""
    /// Cursor position in graphemes from the start.
    public private(set) var cursor = 0
    public private(set) var history: [String] = []
    /// Position while browsing history; nil when editing a new line.
    private var historyIndex: Int?
    public var error: String?

    public init(text: String = "", history: [String] = []) {
        self.text = text
        self.cursor = text.count
        self.history = history
    }

    public mutating func insert(_ character: Character) {
        let index = text.index(text.startIndex, offsetBy: cursor)
        text.insert(character, at: index)
        cursor += 1
        error = nil
    }

    public mutating func backspace() {
        guard cursor > 0 else { return }
        text.remove(at: text.index(text.startIndex, offsetBy: cursor - 1))
        cursor -= 1
        error = nil
    }

    public mutating func deleteForward() {
        guard cursor < text.count else { return }
        text.remove(at: text.index(text.startIndex, offsetBy: cursor))
        error = nil
    }

    public mutating func moveLeft() { cursor = max(0, cursor - 1) }
    public mutating func moveRight() { cursor = min(text.count, cursor + 1) }
    public mutating func moveHome() { cursor = 0 }
    public mutating func moveEnd() { cursor = text.count }

    public mutating func historyBack() {
        guard !history.isEmpty else { return }
        let index = max(0, (historyIndex ?? history.count) - 1)
        historyIndex = index
        setText(history[index])
    }

    public mutating func historyForward() {
        guard let index = historyIndex else { return }
        if index + 1 < history.count {
            historyIndex = index + 1
            setText(history[index + 1])
        } else {
            historyIndex = nil
            setText("")
        }
    }

    /// Records the submitted line in history (no immediate duplicates).
    public mutating func commit() {
        if !text.isEmpty, history.last != text { history.append(text) }
        historyIndex = nil
    }

    public mutating func setText(_ value: String) {
        text = value
        cursor = value.count
    }
}

/// Draws a prompt: its label, the text scrolled so the cursor shows, and the error.
public struct Prompt: Widget {
    public let label: String
    public let state: PromptState
    public let glyphs: Glyphs

    public init(label: String, state: PromptState, glyphs: Glyphs = .unicode) {
        self.label = label
        self.state = state
        self.glyphs = glyphs
    }

    /// Where the terminal cursor goes for this rectangle.
    public func cursorPosition(in rect: Rect) -> (x: Int, y: Int) {
        let (start, _) = visibleSlice(width: rect.width)
        let before = String(state.text.dropFirst(start).prefix(state.cursor - start))
        return (min(rect.maxX - 1, rect.x + DisplayWidth.of(label) + DisplayWidth.of(Sanitizer.clean(before))), rect.y)
    }

    private func visibleSlice(width: Int) -> (start: Int, room: Int) {
        let errorWidth = state.error.map { DisplayWidth.of($0) + 2 } ?? 0
        let room = max(1, width - DisplayWidth.of(label) - min(errorWidth, width / 2) - 1)
        return (max(0, state.cursor - room), room)
    }

    public func render(into rect: Rect, frame: inout Frame) {
        guard rect.height > 0, rect.width > 0 else { return }
        frame.fill(rect.row(0))
        var x = rect.x + frame.write(label, x: rect.x, y: rect.y, style: Style(.title, bold: true), clip: rect)
        let (start, room) = visibleSlice(width: rect.width)
        let shown = TextFit.truncate(String(state.text.dropFirst(start)), to: room, glyphs: glyphs)
        x += frame.write(shown, x: x, y: rect.y, clip: rect)
        if let error = state.error {
            let errorText = TextFit.truncate(error, to: max(0, rect.maxX - x - 2), glyphs: glyphs)
            frame.write(errorText, x: rect.maxX - DisplayWidth.of(errorText), y: rect.y, style: Style(.error, bold: true), clip: rect)
        }
    }
}
