/// Text from the network made safe for a file a person may `cat` or open in a spreadsheet:
/// control characters and bidi overrides become visible `\u{…}` escapes (a description
/// carrying ESC cannot drive the terminal that shows the file), and a cell that a spreadsheet
/// would run as a formula gets a leading `'` (OWASP's advice against CSV injection).
enum TextEscaping {
    static func visible(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// C0 and C1 controls (tab and newline kept: CSV quoting carries them), DEL, and the
    /// bidi controls that can reorder what a reader sees.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: false
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x061C, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    static func spreadsheetSafe(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }
}
