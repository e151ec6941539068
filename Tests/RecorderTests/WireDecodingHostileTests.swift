import Foundation
import Journal
import ManagementAPI
import Recorder
import Testing
import Wire

/// Lines from a source the viewer cannot trust: what would trap or make it build billions of
/// records is refused, naming why, and a good line still decodes (with its bucket's figure).
@Suite("Wire lines from a hostile source")
struct WireDecodingHostileTests {
    static func bucket(seq: String = "10", count: String = "3", firstSeq: String = "9", figure: Bool = true) -> String {
        let figureJSON = figure ? #","figure":{"time":"2026-11-25T03:10:05.250Z","limit":60,"remaining":12,"lowest_remaining":10}"# : ""
        return #"{"v":1,"type":"bucket","seq":"# + seq + #","start":"2026-11-25T03:10:00Z","width_s":10,"token":{"fingerprint":"a1a1a1a1","label":"alpha"},"method":"GET","status":200,"source":"tap","count":"#
            + count + #","latency_sum_ms":30,"latency_max_ms":12,"first_seq":"# + firstSeq + figureJSON + "}"
    }

    @Test("a good bucket line decodes with the figure it carries")
    func good() throws {
        guard case .bucket(let bucket) = try WireDecoding.event(Self.bucket()) else {
            Issue.record("not a bucket")
            return
        }
        #expect(bucket.count == 3 && bucket.firstSeq == 9 && bucket.seq == 10)
        #expect(bucket.figure?.remaining == 12 && bucket.figure?.limit == 60 && bucket.figure?.seq == 11)
        #expect(bucket.expanded().last?.rate.remaining == 12)
        guard case .bucket(let bare) = try WireDecoding.event(Self.bucket(figure: false)) else { return }
        #expect(bare.figure == nil)
    }

    @Test("a negative or enormous count, a seq at Int64.max or below 1, a first_seq after its seq: refused, never a trap",
          arguments: [
              bucket(count: "-1"), bucket(count: "10000000000"), bucket(seq: "9223372036854775807", firstSeq: "1"),
              bucket(seq: "0", firstSeq: "0"), bucket(seq: "-5", firstSeq: "-6"), bucket(seq: "10", firstSeq: "11"),
              bucket(seq: "10", firstSeq: "0"),
          ])
    func refused(line: String) {
        #expect(throws: WireDecoding.Failure.self) { _ = try WireDecoding.event(line) }
    }

    static func attributed(_ extra: String) -> String {
        String(bucket(figure: false).dropLast()) + "," + extra + "}"
    }

    @Test("a bucket's parts come back with their jobs, routes and latencies; a line without them is a bucket from before them")
    func attribution() throws {
        guard case .bucket(let bucket) = try WireDecoding.event(Self.attributed(
            #""parts":[{"job":"sync.jar","route":"/v2/sites/{site_id}/media/","count":2,"latencies":"3:1,9:1"},{"job":"a.py","route":"/v2/webhooks/","count":1}]"#)) else {
            Issue.record("not a bucket")
            return
        }
        #expect(bucket.parts.map(\.job) == ["a.py", "sync.jar"])
        #expect(bucket.parts.map(\.route) == ["/v2/webhooks/", "/v2/sites/{site_id}/media/"])
        #expect(bucket.parts.map { $0.latencies?.total } == [nil, 2])
        #expect(try WireDecoding.event(WireFormat.line(.bucket(bucket))) == .bucket(bucket))
        #expect(bucket.expanded().map(\.job) == ["a.py", "sync.jar", "sync.jar"])
        guard case .bucket(let old) = try WireDecoding.event(Self.bucket()) else { return }
        #expect(old.parts.isEmpty && old.expanded().allSatisfy { $0.job == JobName.unknown && $0.route == APIRoute.other })
    }

    @Test("a hostile job is escaped and cut, a route no recorder writes is other, parts or latencies that do not add up are left out")
    func hostileAttribution() throws {
        guard case .bucket(let bucket) = try WireDecoding.event(Self.attributed(
            #""parts":[{"job":"\u001b]0;owned\u0007\u202e\#(String(repeating: "x", count: 500))","route":"/v2/\u001b[2J/","count":3}]"#)) else {
            Issue.record("not a bucket")
            return
        }
        let job = try #require(bucket.parts.first?.job)
        #expect(!job.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x202E })
        #expect(job.unicodeScalars.count <= JobName.maxLength)
        #expect(bucket.parts.first?.route == APIRoute.other)
        let wrongLatencies = Self.attributed(#""parts":[{"job":"a","route":"/v2/","count":3,"latencies":"1:1,99:2"}]"#)
        let wrongCounts = Self.attributed(#""parts":[{"job":"a","route":"/v2/","count":2}]"#)
        let negative = Self.attributed(#""parts":[{"job":"a","route":"/v2/","count":4},{"job":"b","route":"/v2/","count":-1}]"#)
        for (line, kept) in [(wrongLatencies, 1), (wrongCounts, 0), (negative, 0)] {
            guard case .bucket(let read) = try WireDecoding.event(line) else {
                Issue.record("not a bucket: \(line)")
                continue
            }
            #expect(read.count == 3 && read.parts.count == kept && read.parts.allSatisfy { $0.latencies == nil })
            #expect(read.expanded().map(\.latency) == Array(repeating: .milliseconds(10), count: 3))
        }
    }
}
