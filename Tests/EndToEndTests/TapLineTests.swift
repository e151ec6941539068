import Foundation
import ManagementAPI
@testable import mapitop
import Testing

/// `mapitop tap`'s one line per call is read by people and by log shippers: a hostile
/// answer with thousands of entries or a huge path must not make it a megabyte long.
@Suite("mapitop tap: one bounded line per call")
struct TapLineTests {
    static func record(codes: [String], path: String = "/v2/webhooks/") -> CallRecord {
        CallRecord(
            time: Date(timeIntervalSince1970: 1_800_000_000), token: TokenReference(fingerprint: Fingerprint(hex: "1a2b3c4d"), label: "ingest"),
            method: "POST", path: path, outcome: .status(400), latency: .milliseconds(23), rate: .unknown,
            errors: codes.map { ErrorEntry(code: $0, description: "d") }, source: .tap)
    }

    @Test("a few codes are listed whole")
    func fewCodes() {
        let line = TapLine.format(Self.record(codes: ["too_long", "required"]))
        #expect(line.hasSuffix(" 400 23ms too_long,required"))
    }

    @Test("the time of day is what ISO 8601 writes in UTC, before 1970 and after, at midnight and at the last second")
    func timeOfDay() {
        let times: [TimeInterval] = [0, 1, 59, 86_399, 86_400, 1_800_000_000.999, -1, -0.5, -86_401, 1_733_356_799, 4_102_444_800]
        for seconds in times {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(TapLine.timeOfDay(date) == date.formatted(.iso8601.time(includingFractionalSeconds: false)), "\(seconds)")
        }
        #expect(TapLine.format(Self.record(codes: [])).hasPrefix("08:00:00 ingest POST"))
    }

    @Test("thousands of codes, a 10 000-byte code and a 100 000-byte path give a line of bounded length that counts the rest")
    func hostileAnswer() {
        let codes = [String(repeating: "x", count: 10_000)] + (1..<5_000).map { "code_\($0)" }
        let line = TapLine.format(Self.record(codes: codes, path: "/v2/" + String(repeating: "p", count: 100_000)))
        #expect(line.utf8.count < 2_000)
        #expect(line.hasSuffix(",+\(5_000 - TapLine.maxCodes) more"))
        #expect(line.contains("code_1,code_2"))
    }
}
