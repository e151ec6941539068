/// What a piece of text is, for the theme to colour. Views speak in roles; only the
/// terminal turns them into colours.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    case text
    case header
    case title
    case gaugeOK = "gauge_ok"
    case gaugeWarn = "gauge_warn"
    case gaugeCritical = "gauge_critical"
    case gaugeEmpty = "gauge_empty"
    case class2xx = "class_2xx"
    case class4xx = "class_4xx"
    case class5xx = "class_5xx"
    case classTransport = "class_transport"
    case selection
    case border
    case dim
    case banner
    case hint
    case error
    case stateOK = "state_ok"
    case stateWarn = "state_warn"
    case stateCritical = "state_critical"
    case stateDown = "state_down"
}

/// A cell's look: a role plus attributes the view insists on.
public struct Style: Sendable, Hashable {
    public var role: Role
    public var bold: Bool
    public var reverse: Bool
    public var dim: Bool
    public var underline: Bool

    public init(_ role: Role = .text, bold: Bool = false, reverse: Bool = false, dim: Bool = false, underline: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
        self.underline = underline
    }

    public static let plain = Style()

    public func with(role: Role) -> Style {
        var copy = self
        copy.role = role
        return copy
    }
}

/// One terminal cell: a grapheme cluster and its style. The right half of a wide
/// character is a continuation cell with no text of its own.
public struct Cell: Sendable, Hashable {
    public var text: String
    public var style: Style
    public var isContinuation: Bool

    public init(_ text: String = " ", style: Style = .plain, isContinuation: Bool = false) {
        self.text = text
        self.style = style
        self.isContinuation = isContinuation
    }

    public static let blank = Cell()
}

/// A rectangle of cells; sizes never go below zero.
public struct Rect: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width == 0 || height == 0 }

    /// The first `rows` rows, and the rest.
    public func splitTop(_ rows: Int) -> (top: Rect, rest: Rect) {
        let taken = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: taken), Rect(x: x, y: y + taken, width: width, height: height - taken))
    }

    /// The last `rows` rows, and the rest.
    public func splitBottom(_ rows: Int) -> (rest: Rect, bottom: Rect) {
        let taken = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: height - taken), Rect(x: x, y: maxY - taken, width: width, height: taken))
    }

    public func inset(by amount: Int) -> Rect {
        Rect(x: x + amount, y: y + amount, width: width - 2 * amount, height: height - 2 * amount)
    }

    public func row(_ index: Int) -> Rect { Rect(x: x, y: y + index, width: width, height: index < height ? 1 : 0) }

    public func intersection(_ other: Rect) -> Rect {
        let left = max(x, other.x)
        let top = max(y, other.y)
        return Rect(x: left, y: top, width: min(maxX, other.maxX) - left, height: min(maxY, other.maxY) - top)
    }
}
