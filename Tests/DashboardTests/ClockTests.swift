import Foundation
import Testing
@testable import Dashboard

@Suite("Times of day on screen")
struct ClockTests {
    /// What Calendar says, the slow way the fast formatter replaced.
    static func calendarTime(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
        return [parts.hour!, parts.minute!, parts.second!].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ":")
    }

    @Test("agrees with Calendar across zones, DST changes, fractions and dates before 1970",
          arguments: ["UTC", "Europe/Amsterdam", "America/St_Johns", "Asia/Kathmandu", "Pacific/Kiritimati", "America/Los_Angeles"])
    func agreesWithCalendar(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        let dates = [0, -1, -86_399.5, 1_800_000_000.999, 1_711_846_799, 1_711_846_800, 1_730_595_600, 1_730_599_199.25, 4_102_444_799]
            .map(Date.init(timeIntervalSince1970:))
        for date in dates {
            #expect(Clock.time(date, in: zone) == Self.calendarTime(date, zone), "\(date) in \(zoneName)")
        }
    }
}
