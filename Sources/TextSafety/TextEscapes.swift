/// The escapes of `UnsafeScalars` for each output mapitop writes.
public enum TextEscapes {
    /// A terminal cell or a log line: `\e`, `\n`, `\r`, `\t` for the familiar ones, `\u{…}`
    /// for the rest, so a hostile description can never move the cursor, retitle the window
    /// or reorder what follows it.
    public static func cell(_ text: String) -> String {
        escaping(text) { scalar in
            switch scalar.value {
            case 0x1B: "\\e"
            case 0x0A: "\\n"
            case 0x0D: "\\r"
            case 0x09: "\\t"
            default: braced(scalar)
            }
        }
    }

    /// A file a person may `cat` or open (CSV cells): tab and newline stay, since CSV quoting
    /// carries them; the rest become `\u{…}`.
    public static func file(_ text: String) -> String {
        escaping(text, keeping: keptInFiles) { braced($0) }
    }

    /// JSON text: what an encoder leaves raw written as `\uXXXX`, which means the same inside a
    /// JSON string, the only place such a scalar can stand. C0 is left alone: the encoder has
    /// escaped it inside strings, and outside them it is the text's own whitespace.
    public static func json(_ json: String) -> String {
        escaping(json, keeping: { $0.value < 0x20 }) { scalar in
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
    }

    /// Whether a body can go into a shell command as it is (a quoted here-string): text with
    /// nothing of the table but tabs and newlines.
    public static func isPlainForShell(_ text: String) -> Bool {
        !text.unicodeScalars.contains { UnsafeScalars.contains($0) && !keptInFiles($0) }
    }

    private static func keptInFiles(_ scalar: Unicode.Scalar) -> Bool { scalar.value == 0x09 || scalar.value == 0x0A }

    private static func braced(_ scalar: Unicode.Scalar) -> String {
        "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
    }

    private static func escaping(
        _ text: String, keeping kept: (Unicode.Scalar) -> Bool = { _ in false }, _ escape: (Unicode.Scalar) -> String
    ) -> String {
        guard UnsafeScalars.any(in: text) else { return text }
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if UnsafeScalars.contains(scalar), !kept(scalar) {
                result += escape(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
