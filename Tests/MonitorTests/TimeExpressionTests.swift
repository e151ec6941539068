import Foundation
import Monitor
import Testing

/// The times a person types for `--since`, `--until`, `--at` and the `b` prompt, on an
/// injected clock and zone.
@Suite("Time expressions")
struct TimeExpressionTests {
    static let utc = TimeZone(identifier: "UTC")!
    /// 2026-11-25 03:05:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_795_575_900)

    static func parse(_ text: String, now: Date = now, zone: TimeZone = utc) throws -> Date {
        try TimeExpression.parse(text, now: now, timeZone: zone)
    }

    static func iso(_ text: String) throws -> Date { try Date(text, strategy: .iso8601) }

    @Test("durations count back from now, with or without a minus; now is now")
    func durations() throws {
        #expect(try Self.parse("2h") == Self.now.addingTimeInterval(-7_200))
        #expect(try Self.parse("-2h") == Self.now.addingTimeInterval(-7_200))
        #expect(try Self.parse("90m") == Self.now.addingTimeInterval(-5_400))
        #expect(try Self.parse("7d") == Self.now.addingTimeInterval(-604_800))
        #expect(try Self.parse("now") == Self.now)
    }

    @Test("a time of day is today's, or yesterday's when today's is still ahead")
    func timeOfDay() throws {
        #expect(try Self.parse("03:00") == Self.iso("2026-11-25T03:00:00Z"))
        #expect(try Self.parse("03:05") == Self.iso("2026-11-25T03:05:00Z"))
        #expect(try Self.parse("03:10") == Self.iso("2026-11-24T03:10:00Z"))
        #expect(try Self.parse("3:04:30") == Self.iso("2026-11-25T03:04:30Z"))
        let paris = TimeZone(identifier: "Europe/Paris")!
        #expect(try Self.parse("04:00", zone: paris) == Self.iso("2026-11-25T03:00:00Z"))
    }

    @Test("a local date and time, a date alone, and ISO 8601 with its zone")
    func dates() throws {
        #expect(try Self.parse("2026-11-24 23:10") == Self.iso("2026-11-24T23:10:00Z"))
        #expect(try Self.parse("2026-11-24T23:10:05") == Self.iso("2026-11-24T23:10:05Z"))
        #expect(try Self.parse("2026-11-24") == Self.iso("2026-11-24T00:00:00Z"))
        #expect(try Self.parse("2026-11-24T23:10:00+01:00") == Self.iso("2026-11-24T22:10:00Z"))
        #expect(try Self.parse("2026-11-24T23:10:00.250Z") == Self.iso("2026-11-24T23:10:00Z").addingTimeInterval(0.25))
    }

    @Test("typos and impossible times are refused with the forms that would do, never guessed", arguments: [
        "+5m", "-0m", "5", "h", "3:1", "24:00", "03:60", "03:10:75", "2026-02-30", "2026-13-01 03:00", "yesterdayish", "", "2h30m",
        "1000000000w",
    ])
    func refused(_ text: String) {
        do {
            let parsed = try TimeExpression.parse(text, now: Self.now, timeZone: Self.utc)
            Issue.record("'\(text)' was taken as \(parsed)")
        } catch {
            #expect(error.description.contains("expected"), "\(error.description)")
        }
    }
}
