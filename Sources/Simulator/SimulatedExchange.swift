import Foundation

/// A request as the simulated API sees it, independent of the HTTP server.
public struct SimulatedRequest: Sendable {
    public let method: String
    /// The path without the query.
    public let path: String
    public let query: [String: String]
    public let authorization: String?
    public let body: [UInt8]
    /// Set when the body was larger than the simulator accepts; `body` is then empty.
    public let bodyTooLarge: Bool

    public init(method: String, path: String, query: [String: String] = [:], authorization: String?,
                body: [UInt8] = [], bodyTooLarge: Bool = false)
    {
        self.method = method
        self.path = path
        self.query = query
        self.authorization = authorization
        self.body = body
        self.bodyTooLarge = bodyTooLarge
    }
}

/// The answer, and how long to hold it before sending (service time, a 504's wait).
public struct SimulatedResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var delay: Duration

    init(status: Int, json: Any, delay: Duration = .zero) {
        self.status = status
        self.headers = [("Content-Type", "application/json")]
        self.body = JSON.encode(json)
        self.delay = delay
    }

    init(status: Int, errors: [FieldError], delay: Duration = .zero) {
        self.init(status: status, json: ["errors": errors.map { ["code": $0.code, "description": $0.description] }], delay: delay)
    }

    init(status: Int, contentType: String, text: String, delay: Duration = .zero) {
        self.status = status
        self.headers = [("Content-Type", contentType)]
        self.body = Array(text.utf8)
        self.delay = delay
    }

    static func noContent() -> SimulatedResponse {
        var response = SimulatedResponse(status: 204, json: [String: Any]())
        response.body = []
        response.headers = []
        return response
    }

    static func standardError(_ status: Int, delay: Duration = .zero) -> SimulatedResponse {
        SimulatedResponse(status: status, errors: [.standard(status)], delay: delay)
    }
}

/// JSON in and out through Foundation, with sorted keys so answers are byte-for-byte stable.
enum JSON {
    static func encode(_ value: Any) -> [UInt8] {
        guard JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return Array("{}".utf8) }
        return Array(data)
    }

    static func decode(_ bytes: [UInt8]) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    /// How a value reads when quoted back in an error description.
    static func quote(_ value: Any) -> String {
        switch value {
        case let text as String: return text
        case is NSNull: return "null"
        default:
            if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
                return String(decoding: data, as: UTF8.self)
            }
            return String(describing: value)
        }
    }
}
