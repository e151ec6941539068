/// One terminal cell's worth of a grapheme: one spacing scalar and the zero-width marks
/// that ride on it, and the columns it takes (1 or 2).
public struct CellText: Sendable, Hashable {
    public let text: String
    public let width: Int
}

/// How text is put on a terminal so that the frame, ncurses and the terminal agree on
/// where every character lands.
///
/// ncurses lays text out one scalar at a time with libc's `wcwidth`: a scalar of width 0
/// joins the cell before it, any other starts a new cell. Terminals then disagree about
/// the graphemes that join several spacing scalars: a ZWJ sequence (👩‍💻 is 2 columns in
/// a grapheme-aware terminal, 4 in ncurses and tmux), emoji with a variation selector 16
/// (❤️: 2 or 1), skin-tone modifiers and flags. So those are drawn in a form every party
/// measures alike: the joiner, variation selectors, modifiers and tag characters are
/// dropped (👩‍💻 shows as 👩💻, ❤️ as ❤, 👍🏽 as 👍), regional indicators become their
/// ASCII letters (🇺🇸 shows as US), and what libc cannot print becomes U+FFFD. Everything
/// else, CJK and combining marks included, is drawn as it came, measured by `wcwidth`.
public enum DisplayWidth {
    /// Columns a grapheme takes as drawn.
    public static func of(_ character: Character) -> Int {
        if character.isASCII { return character.asciiValue.map { $0 >= 0x20 && $0 < 0x7F ? 1 : 0 } ?? 1 }
        var total = 0
        for scalar in character.unicodeScalars { total += presentation(of: scalar).width }
        return total
    }

    public static func of(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// The cells a grapheme is drawn in, left to right (none for a mark with no base).
    public static func cells(of character: Character) -> [CellText] {
        if character.isASCII {
            guard let value = character.asciiValue, value >= 0x20, value < 0x7F else {
                // "\r\n" is one grapheme; the sanitizer has escaped it before a frame sees it.
                return []
            }
            return [CellText(text: String(character), width: 1)]
        }
        // Most non-ASCII text is one scalar (bars, borders, CJK): no cell to assemble.
        let scalars = character.unicodeScalars
        if let only = scalars.first, scalars.index(after: scalars.startIndex) == scalars.endIndex {
            let (shown, width) = presentation(of: only)
            guard let shown, width > 0 else { return [] }
            return [CellText(text: shown == only ? String(character) : String(shown), width: width)]
        }
        var cells: [(scalars: String.UnicodeScalarView, width: Int, marks: Int)] = []
        for scalar in scalars {
            let (shown, width) = presentation(of: scalar)
            guard let shown else { continue }
            if width > 0 {
                cells.append((String.UnicodeScalarView([shown]), width, 0))
            } else if let last = cells.indices.last, cells[last].marks < maximumMarks {
                cells[last].scalars.append(shown)
                cells[last].marks += 1
            }
        }
        return cells.map { CellText(text: String($0.scalars), width: $0.width) }
    }

    /// ncurses keeps up to five wide characters per cell (CCHARW_MAX): a base and four marks.
    static let maximumMarks = 4

    /// What a scalar is drawn as (nil: dropped) and the columns it adds.
    static func presentation(of scalar: Unicode.Scalar) -> (shown: Unicode.Scalar?, width: Int) {
        let value = scalar.value
        switch value {
        // Zero width joiner, variation selectors, emoji modifiers, tag characters.
        case 0x200D, 0xFE00...0xFE0F, 0xE0100...0xE01EF, 0x1F3FB...0x1F3FF, 0xE0000...0xE007F:
            return (nil, 0)
        // Regional indicators: the letter they stand for.
        case 0x1F1E6...0x1F1FF:
            return (Unicode.Scalar(UInt8(0x41 + value - 0x1F1E6)), 1)
        default:
            break
        }
        let width = LibcWidth.of(scalar) ?? FallbackWidth.of(scalar)
        switch width {
        case 1, 2: return (scalar, width)
        case 0: return (scalar, 0)
        default: return ("\u{FFFD}", 1)
        }
    }
}
