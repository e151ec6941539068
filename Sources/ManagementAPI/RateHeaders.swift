/// The `jw-request-*` headers every answer carries. Parsing is tolerant: a missing,
/// non-numeric, negative or absurd value is "unknown" (nil), never a crash or a guess.
public struct RateHeaders: Sendable, Hashable, Codable {
    public static let limitName = "jw-request-limit"
    public static let remainingName = "jw-request-remaining"
    public static let requestIDName = "jw-request-id"

    /// Quotas above this are not a number the service would send.
    public static let absurdAbove = 1_000_000
    /// Request ids are short hex or uuid strings; longer values are cut, not trusted.
    public static let maxRequestIDLength = 128

    public let limit: Int?
    public let remaining: Int?
    public let requestID: String?

    public init(limit: Int?, remaining: Int?, requestID: String?) {
        self.limit = limit
        self.remaining = remaining
        self.requestID = requestID
    }

    public static let unknown = RateHeaders(limit: nil, remaining: nil, requestID: nil)

    /// Reads the headers from name/value pairs (names compared case-insensitively; the
    /// first occurrence wins).
    public init<S: Sequence>(headers: S) where S.Element == (name: String, value: String) {
        var limit: String?
        var remaining: String?
        var requestID: String?
        for (name, value) in headers {
            if limit == nil, HeaderName.matches(name, Self.limitName) {
                limit = value
            } else if remaining == nil, HeaderName.matches(name, Self.remainingName) {
                remaining = value
            } else if requestID == nil, HeaderName.matches(name, Self.requestIDName) {
                requestID = value
            }
        }
        self.limit = limit.flatMap(Self.count)
        self.remaining = remaining.flatMap(Self.count)
        self.requestID = requestID.flatMap(Self.requestID)
    }

    /// USED as the server counts it: limit − remaining, when both are known and sane.
    public var used: Int? {
        guard let limit, let remaining, remaining <= limit else { return nil }
        return limit - remaining
    }

    static func count(_ text: String) -> Int? {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty, trimmed.count <= 7, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }),
            let value = Int(trimmed), value <= absurdAbove
        else { return nil }
        return value
    }

    static func requestID(_ text: String) -> String? {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { return nil }
        return String(trimmed.prefix(maxRequestIDLength))
    }
}
