import Foundation

/// The one shape of time the wire writes, `2026-12-07T19:41:56.123Z` (`WireFormat.time`),
/// read without a formatter: a window decodes a time per event, and Foundation's ISO 8601
/// parser was most of what an event cost. Anything else (another zone, no fraction, a
/// leap second) is nil here and goes to the full parser.
enum WireTime {
    static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
                  bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "."),
                  bytes[23] == UInt8(ascii: "Z")
            else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for index in range {
                    let digit = Int(bytes[index]) - 48
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
                  let minute = number(14..<16), let second = number(17..<19), let millisecond = number(20..<23),
                  (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60, second < 60
            else { return nil }
            // From 2001-01-01 (day 11 323 of the Unix epoch), Date's own reference: whole seconds
            // are exact there, and the milliseconds are added once.
            let days = daysFromCivil(year: year, month: month, day: day) - 11_323
            let seconds = ((days * 24 + hour) * 60 + minute) * 60 + second
            // Before 2001 the fraction is subtracted from a negative count, where Foundation's
            // rounding differs in the last bit: those (rare) times take the full parser.
            guard seconds >= 0 else { return nil }
            return Date(timeIntervalSinceReferenceDate: Double(seconds) + Double(millisecond) / 1_000)
        }
    }

    private static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
