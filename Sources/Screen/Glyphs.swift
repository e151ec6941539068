/// The characters the widgets draw with: block and box characters in a UTF-8 terminal,
/// plain ASCII under `--ascii` or a non-UTF-8 locale.
public struct Glyphs: Sendable, Hashable {
    public let ellipsis: String
    public let gaugeFull: String
    public let gaugeEmpty: String
    public let sparks: [String]
    public let expanded: String
    public let collapsed: String
    public let leaf: String
    public let horizontal: String
    public let vertical: String
    public let corners: (topLeft: String, topRight: String, bottomLeft: String, bottomRight: String)
    public let live: String
    public let separator: String
    /// For key names in help text (the arrow keys).
    public let arrowUp: String
    public let arrowDown: String

    public static let unicode = Glyphs(
        ellipsis: "…", gaugeFull: "█", gaugeEmpty: "░", sparks: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        expanded: "▾", collapsed: "▸", leaf: "·", horizontal: "─", vertical: "│", corners: ("┌", "┐", "└", "┘"),
        live: "●", separator: "·", arrowUp: "↑", arrowDown: "↓")

    public static let ascii = Glyphs(
        ellipsis: "~", gaugeFull: "#", gaugeEmpty: ".", sparks: ["_", ".", "-", "-", "=", "=", "*", "#"],
        expanded: "v", collapsed: ">", leaf: "-", horizontal: "-", vertical: "|", corners: ("+", "+", "+", "+"),
        live: "*", separator: "-", arrowUp: "Up", arrowDown: "Down")

    public static func == (lhs: Glyphs, rhs: Glyphs) -> Bool { lhs.gaugeFull == rhs.gaugeFull && lhs.ellipsis == rhs.ellipsis }
    public func hash(into hasher: inout Hasher) { hasher.combine(gaugeFull) }
}

/// Text that must fit a width.
public enum TextFit {
    /// The longest prefix of `text` that fits `width` columns, ending in an ellipsis when cut.
    public static func truncate(_ text: String, to width: Int, glyphs: Glyphs = .unicode) -> String {
        guard width > 0 else { return "" }
        let clean = Sanitizer.clean(text)
        guard DisplayWidth.of(clean) > width else { return clean }
        let room = width - DisplayWidth.of(glyphs.ellipsis)
        var result = ""
        var used = 0
        for character in clean {
            let cellWidth = DisplayWidth.of(character)
            if used + cellWidth > room { break }
            result.append(character)
            used += cellWidth
        }
        return result + (room >= 0 ? glyphs.ellipsis : "")
    }

    /// Pads (or truncates) to exactly `width` columns, aligned left or right.
    public static func pad(_ text: String, to width: Int, alignRight: Bool = false, glyphs: Glyphs = .unicode) -> String {
        let fitted = truncate(text, to: width, glyphs: glyphs)
        let padding = String(repeating: " ", count: max(0, width - DisplayWidth.of(fitted)))
        return alignRight ? padding + fitted : fitted + padding
    }
}
