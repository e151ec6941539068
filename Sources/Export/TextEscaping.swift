import TextSafety

/// Text from the network made safe for a file a person may `cat` or open in a spreadsheet:
/// control characters and bidi overrides become visible `\u{…}` escapes (a description
/// carrying ESC cannot drive the terminal that shows the file), and a cell that a spreadsheet
/// would run as a formula gets a leading `'` (OWASP's advice against CSV injection).
enum TextEscaping {
    static func visible(_ text: String) -> String { TextEscapes.file(text) }

    static func spreadsheetSafe(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }
}
