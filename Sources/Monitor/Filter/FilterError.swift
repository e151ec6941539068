/// Why a filter did not parse: what was expected, and where (a 1-based column).
public struct FilterError: Error, Sendable, Hashable, CustomStringConvertible {
    public let column: Int
    public let message: String

    public init(column: Int, message: String) {
        self.column = column
        self.message = message
    }

    public var description: String { "column \(column): \(message)" }
}
