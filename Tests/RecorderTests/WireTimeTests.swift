import Foundation
import ManagementAPI
import Testing
@testable import Wire

/// The wire's one shape of time read without a formatter (issue 23, point 12: the feed's
/// decoding): the same instant as Foundation's ISO 8601 parser for every time the wire
/// writes, and nil, never a wrong date, for anything else.
@Suite("Wire times")
struct WireTimeTests {
    @Test("what WireFormat.time writes reads back as Foundation's parser reads it, over four centuries; from 2001 on without it")
    func sameAsFoundation() throws {
        // Seeded, so a failure names times that fail again.
        var generator = SeededRandom(seed: 0x5EED_2026)
        let parser = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        // Whole milliseconds, as the wire carries them, from 1900 to 2300, and the edges of
        // leap days, month ends and the reference date.
        var moments = (0..<2_000).map { _ in
            Date(timeIntervalSince1970: Double(Int64.random(in: -2_208_988_800_000...10_413_792_000_000, using: &generator)) / 1_000)
        }
        moments += ["2024-02-29T23:59:59.999Z", "2001-01-01T00:00:00.000Z", "2000-12-31T23:59:59.999Z", "1970-01-01T00:00:00.001Z",
                    "2100-03-01T00:00:00.000Z", "2026-12-07T19:41:56.123Z"].compactMap { try? Date($0, strategy: parser) }
        for moment in moments {
            let text = WireFormat.time(moment)
            let expected = try Date(text, strategy: parser)
            #expect(try WireDecoding.time(text) == expected, "\(text)")
            // From 2001 on (all a recorder writes) without the formatter; before, by it.
            #expect((WireTime.parse(text) != nil) == (expected.timeIntervalSinceReferenceDate >= 0), "\(text)")
        }
    }

    @Test("other shapes and impossible dates are left to the full parser", arguments: [
        "2026-12-07T19:41:56Z", "2026-12-07T19:41:56.123+01:00", "2026-02-30T00:00:00.000Z", "2025-02-29T00:00:00.000Z",
        "2026-13-01T00:00:00.000Z", "2026-12-07T24:00:00.000Z", "2026-12-07T19:60:00.000Z", "2026-12-07 19:41:56.123Z",
        "2026-12-07T19:41:5a.123Z", "+026-12-07T19:41:56.123Z",
    ])
    func others(text: String) {
        #expect(WireTime.parse(text) == nil)
    }

    @Test("a line whose header is not a recorder's, one of another version, one of an unknown type and one whose body does not decode each say which")
    func failures() {
        func failure(_ line: String) -> String? {
            do {
                _ = try WireDecoding.event(line)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(failure("<html>") == "not a mapitop recorder line: <html>")
        #expect(failure(#"{"type":"call"}"#) == #"not a mapitop recorder line: {"type":"call"}"#)
        #expect(failure(#"{"v":2,"type":"call"}"#) == "wire format version 2; this mapitop reads 1")
        #expect(failure(#"{"v":1,"type":"party"}"#) == "unknown line type party")
        #expect(failure(#"{"v":1,"type":"call","seq":1}"#)?.hasPrefix("a call line that does not decode: ") == true)
    }
}
