import ManagementAPI
import Testing

@Suite("jw-request-* headers")
struct RateHeadersTests {
    static let counts: [(String, Int?)] = [
        ("60", 60), ("0", 0), (" 45 ", 45), ("abc", nil), ("-5", nil), ("99999999999999999999", nil),
        ("", nil), ("4.5", nil), ("1e3", nil), ("+7", nil), ("٣", nil), ("1000000", 1_000_000), ("1000001", nil),
    ]

    @Test("tolerant parsing of counts", arguments: counts)
    func count(text: String, expected: Int?) {
        let rate = RateHeaders(headers: [(name: "jw-request-limit", value: text), (name: "jw-request-remaining", value: text)])
        #expect(rate.limit == expected)
        #expect(rate.remaining == expected)
    }

    @Test("names are case-insensitive, the first occurrence wins, missing ones are unknown")
    func names() {
        let rate = RateHeaders(headers: [
            (name: "JW-Request-Limit", value: "60"), (name: "jw-request-remaining", value: "45"),
            (name: "jw-request-remaining", value: "3"), (name: "Jw-Request-Id", value: "8f3a"),
        ])
        #expect(rate == RateHeaders(limit: 60, remaining: 45, requestID: "8f3a"))
        #expect(rate.used == 15)
        #expect(RateHeaders(headers: [(name: String, value: String)]()) == .unknown)
    }

    @Test("used is unknown when remaining exceeds the limit or either is missing")
    func usedIsNeverInvented() {
        #expect(RateHeaders(limit: 60, remaining: 70, requestID: nil).used == nil)
        #expect(RateHeaders(limit: nil, remaining: 5, requestID: nil).used == nil)
        #expect(RateHeaders(limit: 60, remaining: 0, requestID: nil).used == 60)
    }

    @Test("request ids are trimmed and capped")
    func requestIDs() {
        let long = String(repeating: "a", count: 1_000)
        #expect(RateHeaders(headers: [(name: "jw-request-id", value: long)]).requestID?.count == RateHeaders.maxRequestIDLength)
        #expect(RateHeaders(headers: [(name: "jw-request-id", value: "   ")]).requestID == nil)
    }
}
