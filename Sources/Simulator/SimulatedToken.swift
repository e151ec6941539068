/// A token the simulator knows. `viewer` tokens may only read.
public struct SimulatedToken: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case admin
        case viewer
    }

    public let label: String
    public let secret: String
    public let role: Role

    public init(label: String, secret: String, role: Role = .admin) {
        self.label = label
        self.secret = secret
        self.role = role
    }

    /// Parses `LABEL=SECRET[:ROLE]` as `mapitop simulate --token` takes it.
    public init(argument: String) throws(ParseError) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
            throw ParseError(message: "expected LABEL=SECRET[:ROLE], got no label")
        }
        label = String(argument[..<equals])
        var rest = String(argument[argument.index(after: equals)...])
        var role = Role.admin
        if let colon = rest.lastIndex(of: ":"), let parsed = Role(rawValue: String(rest[rest.index(after: colon)...])) {
            role = parsed
            rest = String(rest[..<colon])
        }
        guard !rest.isEmpty else { throw ParseError(message: "token '\(label)' has an empty secret") }
        secret = rest
        self.role = role
    }

    public struct ParseError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
