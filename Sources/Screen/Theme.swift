/// A colour as a theme states it.
public enum ThemeColor: Sendable, Hashable {
    /// The terminal's own foreground or background.
    case `default`
    case indexed(Int)
    case rgb(UInt8, UInt8, UInt8)
}

/// How one role looks.
public struct RoleStyle: Sendable, Hashable {
    public var foreground: ThemeColor
    public var background: ThemeColor
    public var bold: Bool
    public var reverse: Bool
    public var dim: Bool
    public var underline: Bool

    public init(fg: ThemeColor = .default, bg: ThemeColor = .default, bold: Bool = false, reverse: Bool = false,
                dim: Bool = false, underline: Bool = false)
    {
        foreground = fg
        background = bg
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
        self.underline = underline
    }
}

/// A role → style map. Roles a theme leaves out look like `text`.
public struct Theme: Sendable, Hashable {
    public let name: String
    public let roles: [Role: RoleStyle]

    public init(name: String, roles: [Role: RoleStyle]) {
        self.name = name
        self.roles = roles
    }

    public func style(for role: Role) -> RoleStyle { roles[role] ?? roles[.text] ?? RoleStyle() }

    /// The dark default, built in so mapitop works with no theme files at all.
    public static let builtInDefault = Theme(name: "default", roles: [
        .text: RoleStyle(),
        .header: RoleStyle(fg: .indexed(15), bg: .indexed(24), bold: true),
        .title: RoleStyle(fg: .indexed(117), bold: true),
        .gaugeOK: RoleStyle(fg: .indexed(70)),
        .gaugeWarn: RoleStyle(fg: .indexed(214)),
        .gaugeCritical: RoleStyle(fg: .indexed(196), bold: true),
        .gaugeEmpty: RoleStyle(fg: .indexed(240)),
        .class2xx: RoleStyle(fg: .indexed(70)),
        .class4xx: RoleStyle(fg: .indexed(214), bold: true),
        .class5xx: RoleStyle(fg: .indexed(196), bold: true),
        .classTransport: RoleStyle(fg: .indexed(171), bold: true),
        .selection: RoleStyle(reverse: true),
        .border: RoleStyle(fg: .indexed(240)),
        .dim: RoleStyle(fg: .indexed(245)),
        .banner: RoleStyle(fg: .indexed(16), bg: .indexed(214), bold: true),
        .hint: RoleStyle(fg: .indexed(250), bg: .indexed(236)),
        .error: RoleStyle(fg: .indexed(196), bold: true),
        .stateOK: RoleStyle(fg: .indexed(70)),
        .stateWarn: RoleStyle(fg: .indexed(214), bold: true),
        .stateCritical: RoleStyle(fg: .indexed(196), bold: true),
        .stateDown: RoleStyle(fg: .indexed(171), bold: true),
    ])

    /// The theme with every colour dropped: bold, reverse, dim and underline stay, so
    /// selection and emphasis survive `NO_COLOR` and colourless terminals.
    public var monochrome: Theme {
        Theme(name: name + " (mono)", roles: roles.mapValues { style in
            var copy = style
            copy.foreground = .default
            copy.background = .default
            return copy
        })
    }
}

/// Colour arithmetic: the nearest of 256 (xterm's palette) or of the 8 basic colours.
public enum ColorMapping {
    /// The RGB of an xterm-256 index.
    public static func rgb(ofIndex index: Int) -> (Int, Int, Int) {
        let basic: [(Int, Int, Int)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
            (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
        ]
        switch index {
        case 0..<16: return basic[index]
        case 16..<232:
            let cube = index - 16
            let levels = [0, 95, 135, 175, 215, 255]
            return (levels[cube / 36], levels[(cube / 6) % 6], levels[cube % 6])
        default:
            let gray = 8 + 10 * (min(255, max(232, index)) - 232)
            return (gray, gray, gray)
        }
    }

    private static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let (dr, dg, db) = (a.0 - b.0, a.1 - b.1, a.2 - b.2)
        return dr * dr + dg * dg + db * db
    }

    /// The nearest xterm-256 index of an RGB colour (cube and grey ramp only: the first 16
    /// vary between terminals).
    public static func nearest256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        let target = (Int(r), Int(g), Int(b))
        return (16..<256).min { distance(rgb(ofIndex: $0), target) < distance(rgb(ofIndex: $1), target) } ?? 16
    }

    /// The nearest of the 8 basic colours (COLOR_BLACK … COLOR_WHITE).
    public static func nearest8(ofIndex index: Int) -> Int {
        if index < 8 { return index }
        if index < 16 { return index - 8 }
        let target = rgb(ofIndex: index)
        return (0..<8).min { distance(rgb(ofIndex: $0), target) < distance(rgb(ofIndex: $1), target) } ?? 7
    }

    /// A theme colour as a curses colour number for a terminal with `colors` colours; -1 is
    /// the terminal default.
    public static func cursesColor(_ color: ThemeColor, colors: Int) -> Int {
        let index: Int
        switch color {
        case .default: return -1
        case .indexed(let value): index = min(255, max(0, value))
        case .rgb(let r, let g, let b): index = nearest256(r, g, b)
        }
        if colors >= 256 { return index }
        if colors >= 8 { return nearest8(ofIndex: index) }
        return -1
    }
}
