import Foundation

enum StandardError {
    /// One line on stderr, for after curses has let go of the terminal. Line breaks in
    /// `text` (an error's own description) become spaces: one event, one line.
    static func line(_ text: String) {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        // The throwing write: the plain one traps when stderr is closed or broken.
        try? FileHandle.standardError.write(contentsOf: Data((flat + "\n").utf8))
    }
}
