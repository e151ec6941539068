import ManagementAPI
import Testing

@Suite("Header names compared without case, as HTTP does")
struct HeaderNameTests {
    @Test("any spelling of a name matches; another name, a longer one or a look-alike byte does not")
    func matches() {
        for spelling in ["content-length", "Content-Length", "CONTENT-LENGTH", "cOnTeNt-LeNgTh"] {
            #expect(HeaderName.matches(spelling, "content-length"), "\(spelling)")
        }
        // Bit 5 set turns '@' into '`' and '[' into '{': neither is a letter, so neither matches.
        for other in ["content_length", "content-lengths", "content-lengt", "", "c\u{E9}ntent-length", "jw-request-limit"] {
            #expect(!HeaderName.matches(other, "content-length"), "\(other)")
        }
        #expect(!HeaderName.matches("@", "`"))
        #expect(!HeaderName.matches("[", "{"))
        #expect(HeaderName.isAny("Keep-Alive", of: ["connection", "keep-alive"]))
        #expect(!HeaderName.isAny("Authorization", of: ["connection", "keep-alive"]))
    }

    @Test("rate headers are read under any spelling, the first of each winning")
    func rateHeaders() {
        let headers: [(name: String, value: String)] = [
            ("JW-Request-Limit", "60"), ("jw-request-REMAINING", "12"), ("jw-request-remaining", "3"), ("Jw-Request-Id", "abc"),
        ]
        let rate = RateHeaders(headers: headers)
        #expect(rate == RateHeaders(limit: 60, remaining: 12, requestID: "abc"))
    }
}
