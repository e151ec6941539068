import Foundation
import ManagementAPI

/// A week of 20 tokens at full quota (one call a second each, 12 096 000 calls), timed by an
/// injected clock, deterministic. 5 % of calls fail: half of those are 429s, a fifth 400s
/// with a request body (half with the same two field errors, half with a title that differs
/// every time and is quoted back in the error), a fifth 404s of a media id, a tenth 502/503.
/// Of the successes, two a minute per token are probes; 2 % of the tap's are POSTs (201).
/// Every answer carries the server's figure (limit 60, remaining near 0 at full quota).
struct WeekTraffic: Sendable {
    static let tokenCount = 20
    static let seconds = 7 * 86_400
    static var callCount: Int { seconds * tokenCount }
    /// On a 10-second boundary, so hour boundaries are bucket boundaries.
    static let start = Date(timeIntervalSinceReferenceDate: 800_006_400)

    let tokens: [TokenReference] = (0..<Self.tokenCount).map { index in
        TokenReference(fingerprint: Secret("bench-secret-\(index)").fingerprint, label: "token-\(index + 1)")
    }
    let mediaPaths: [String] = (0..<Self.tokenCount).map { "/v2/sites/site\($0)ab/media/" }

    static let limited = [ErrorEntry(code: "rate_limit_exceeded", description: "The rate limit has been exceeded.")]
    static let notFound = [ErrorEntry(code: "not_found", description: "The requested resource could not be found.")]
    static let badGateway = [ErrorEntry(code: "bad_gateway", description: "A dependent service returned an invalid response.")]
    static let unavailable = [
        ErrorEntry(code: "service_unavailable", description: "A dependent service is temporarily unavailable.")
    ]
    static let tagsAndMethod = [
        ErrorEntry(
            code: "invalid_type", description: "Field 'metadata.tags' must be of type 'array'. Value of 'news' was provided.",
            detail: FieldDetail(field: "metadata.tags", constraint: "array", provided: "news")),
        ErrorEntry(
            code: "required", description: "Field 'upload.method' is required.",
            detail: FieldDetail(field: "upload.method", constraint: nil, provided: nil)),
    ]

    func time(second: Int, token: Int) -> Date {
        Self.start.addingTimeInterval(Double(second) + Double(token) * 0.05)
    }

    /// Three jobs share each token, taking turns every 20 seconds, with ten routes between
    /// them (DESIGN.md section 12): the ingest creates and reads media (its calls are the ones
    /// below, failures included), the sync and the report each read four collections of their
    /// own, one a turn, as a job pages through a collection before the next. (Reading the four
    /// in turn call by call, which no pager does, makes each 10-second bucket four parts: 310 MiB
    /// in the run of 3177116+1.)
    static let jobs = ["catalog-sync.py", "nightly-ingest.py", "report.jar"]
    static let reads = [
        ["/v2/sites/site0ab/playlists/%d/", "/v2/sites/site0ab/thumbnails/%d/", "/v2/sites/site0ab/channels/%d/", "/v2/webhooks/%d/"],
        ["/v2/sites/site0ab/imports/%d/", "/v2/sites/site0ab/players/%d/", "/v2/sites/site0ab/media/%d/text_tracks/",
         "/v2/sites/site0ab/protection_rules/%d/"],
    ]

    /// Call `second` of token `token`, with the request body a tap would have seen.
    func call(second: Int, token: Int) -> (record: CallRecord, body: Data?) {
        let (record, body) = unattributed(second: second, token: token)
        guard record.source == .tap else { return (record, body) }
        let turn = Int(Self.mix(UInt64(token) &* 7_919 &+ UInt64(second / 20)) % 3)
        // The ingest's turn, and every failure (the ingest's calls are the ones that fail).
        guard turn != 1, record.outcome.status == 200 else { return (record.attributed(job: Self.jobs[1]), body) }
        let collections = Self.reads[turn / 2]
        let path = collections[(second / 20 + token) % collections.count].replacingOccurrences(of: "%d", with: "x\(second % 997)Y")
        let read = CallRecord(
            time: record.time, token: record.token, method: "GET", path: path, outcome: record.outcome, latency: record.latency,
            rate: record.rate, errors: [], source: .tap, job: Self.jobs[turn])
        return (read, body)
    }

    /// The call before jobs and routes: its token, outcome, figure and body.
    private func unattributed(second: Int, token: Int) -> (record: CallRecord, body: Data?) {
        let hash = Self.mix(UInt64(token) &* 1_000_003 &+ UInt64(second))
        let time = time(second: second, token: token)
        let reference = tokens[token]
        let latency = Duration.milliseconds(20 + Int(hash % 180))
        let remaining = Int(hash % 3)
        guard hash % 20 == 0 else {
            let probe = second % 30 == 0
            let post = !probe && (hash / 20) % 50 == 0
            return (
                CallRecord(
                    time: time, token: reference, method: post ? "POST" : "GET",
                    path: probe ? "/v2/webhooks/" : mediaPaths[token], outcome: .status(post ? 201 : 200), latency: latency,
                    rate: RateHeaders(limit: 60, remaining: remaining, requestID: nil), errors: [],
                    source: probe ? .probe : .tap), nil
            )
        }
        let requestID = Self.requestID(hash)
        func failed(_ method: String, _ path: String, _ status: Int, _ errors: [ErrorEntry], remaining: Int) -> CallRecord {
            CallRecord(
                time: time, token: reference, method: method, path: path, outcome: .status(status), latency: latency,
                rate: RateHeaders(limit: 60, remaining: remaining, requestID: requestID), errors: errors, source: .tap)
        }
        switch (hash / 20) % 10 {
        case 0..<5:
            return (failed("GET", mediaPaths[token], 429, Self.limited, remaining: 0), nil)
        case 5:
            let body = #"{"metadata":{"title":"Nightly ingest \#(second)","tags":"news"},"upload":{}}"#
            return (failed("POST", mediaPaths[token], 400, Self.tagsAndMethod, remaining: remaining), Data(body.utf8))
        case 6:
            let title = "Episode \(second): " + String(repeating: "a very long title ", count: 16)
            let body = #"{"metadata":{"title":"\#(title)","tags":["news"]},"upload":{"method":"fetch"}}"#
            let errors = [
                ErrorEntry(
                    code: "too_long",
                    description: "Field 'metadata.title' must be shorter than '255' characters. Value of '\(title)' was provided.",
                    detail: FieldDetail(field: "metadata.title", constraint: "255", provided: title))
            ]
            return (failed("POST", mediaPaths[token], 400, errors, remaining: remaining), Data(body.utf8))
        case 7, 8:
            let path = mediaPaths[token] + String(hash % 100_000_000, radix: 16) + "/"
            return (failed("GET", path, 404, Self.notFound, remaining: remaining), nil)
        default:
            let status = second % 2 == 0 ? 503 : 502
            return (failed("GET", mediaPaths[token], status, status == 503 ? Self.unavailable : Self.badGateway, remaining: remaining), nil)
        }
    }

    /// Every call of seconds `range`, in time order.
    func calls(seconds range: Range<Int>) -> [(record: CallRecord, body: Data?)] {
        range.flatMap { second in (0..<Self.tokenCount).map { call(second: second, token: $0) } }
    }

    /// SplitMix64's finalizer: a fixed pseudo-random value per call.
    static func mix(_ value: UInt64) -> UInt64 {
        var x = value &+ 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }

    /// A uuid-shaped request id, as the service sends.
    static func requestID(_ hash: UInt64) -> String {
        let high = String(mix(hash), radix: 16)
        let low = String(mix(hash &+ 1), radix: 16)
        let hex = Array((String(repeating: "0", count: 16 - high.count) + high + String(repeating: "0", count: 16 - low.count) + low))
        return String(hex[0..<8]) + "-" + String(hex[8..<12]) + "-" + String(hex[12..<16]) + "-" + String(hex[16..<20]) + "-"
            + String(hex[20..<32])
    }
}
