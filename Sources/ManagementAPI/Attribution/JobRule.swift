import Foundation

/// A `[[job]]` rule of the config: calls whose program, script or User-Agent `pattern`
/// matches are job `name` (DESIGN.md section 12). The first rule that matches wins.
public struct JobRule: Sendable, Hashable {
    public let name: String
    /// The pattern as written, for messages.
    public let pattern: String
    private let regex: NSRegularExpression

    /// Throws the compiler's reason when `pattern` is not a regular expression (ICU's syntax).
    public init(name: String, pattern: String) throws {
        self.name = name
        self.pattern = pattern
        regex = try NSRegularExpression(pattern: pattern)
    }

    /// Rules are the same when their name and pattern are.
    public static func == (a: JobRule, b: JobRule) -> Bool { a.name == b.name && a.pattern == b.pattern }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(pattern)
    }

    /// Whether the pattern is found anywhere in `text` (anchor it with `^…$` to match whole).
    public func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
