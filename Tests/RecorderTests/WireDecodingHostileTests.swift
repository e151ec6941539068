import Foundation
import Journal
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
}
