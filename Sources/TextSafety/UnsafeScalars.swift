/// The one table of scalars that must never reach a terminal or a file raw (DESIGN.md
/// section 3): C0 controls, DEL and C1 controls (some terminals take U+009B as CSI), the bidi
/// controls that reorder what a reader sees (embeddings, overrides, isolates and the
/// invisible marks), and the line and paragraph separators that some readers break lines on.
/// Every output escapes them its own way (`TextEscapes`); none keeps a list of its own.
public enum UnsafeScalars {
    public static func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x061C, 0x202A...0x202E, 0x2066...0x2069: true
        case 0x2028, 0x2029: true
        default: false
        }
    }

    /// Whether any scalar of `text` is in the table; printable ASCII is answered at once.
    public static func any(in text: some StringProtocol) -> Bool {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return false }
        return text.unicodeScalars.contains(where: contains)
    }
}
