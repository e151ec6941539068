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
    /// The bytes sent; for a JSON answer, filled by `serialize()` once the API's lock is
    /// released (encoding is most of a call's cost, and it needs no shared state).
    public var body: [UInt8]
    public var delay: Duration
    private var pendingJSON: PendingJSON?

    init(status: Int, json: Any, delay: Duration = .zero) {
        self.status = status
        self.headers = [("Content-Type", "application/json")]
        self.body = []
        self.pendingJSON = PendingJSON(value: json)
        self.delay = delay
    }

    /// Encodes a JSON answer's body, once.
    mutating func serialize() {
        guard let pending = pendingJSON else { return }
        body = JSON.encode(pending.value)
        pendingJSON = nil
    }

    /// A JSON value built by the routes from strings, numbers, arrays and dictionaries, never
    /// changed after it is built: it crosses from the locked section to the encoder, read only.
    private struct PendingJSON: @unchecked Sendable {
        let value: Any
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
        var response = SimulatedResponse(status: 204, contentType: "", text: "")
        response.headers = []
        return response
    }

    static func standardError(_ status: Int, delay: Duration = .zero) -> SimulatedResponse {
        SimulatedResponse(status: status, errors: [.standard(status)], delay: delay)
    }
}

/// JSON in and out through Foundation, with sorted keys so answers are byte-for-byte stable.
enum JSON {
    /// Sorted keys, slashes as they are: the same bytes Foundation's JSONSerialization writes
    /// with `.sortedKeys, .withoutEscapingSlashes`, written directly for the routes' own value
    /// types (a load test spends most of each call here otherwise: Foundation bridges every
    /// value). Anything else (numbers decoded from a request, NSNull) goes through Foundation.
    static func encode(_ value: Any) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        guard write(value, into: &output) else { return Array("{}".utf8) }
        return output
    }

    private static func write(_ value: Any, into output: inout [UInt8]) -> Bool {
        switch value {
        case let text as String:
            writeString(text, into: &output)
        case let number as Int where type(of: value) == Int.self:
            output.append(contentsOf: String(number).utf8)
        case let flag as Bool where type(of: value) == Bool.self:
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case let object as [String: Any]:
            output.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                guard write(object[key]!, into: &output) else { return false }
            }
            output.append(UInt8(ascii: "}"))
        case let array as [Any]:
            output.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                guard write(element, into: &output) else { return false }
            }
            output.append(UInt8(ascii: "]"))
        default:
            guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
            else { return false }
            output.append(contentsOf: data)
        }
        return true
    }

    /// Quotes and backslashes escaped, control characters as Foundation writes them.
    private static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20: output.append(contentsOf: Array(String(format: "\\u%04x", byte).utf8))
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
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
