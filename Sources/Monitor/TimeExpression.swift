import Foundation

/// A moment as a person types it on call (DESIGN.md sections 9 and 10): `--since 2h`, the `b`
/// prompt's `-2h`, `03:10`, `2026-11-25 03:10`, or an ISO 8601 time with its zone. Pure: the
/// clock and the time zone are given.
public enum TimeExpression {
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// `now`; a duration back from now (`2h`, `-2h`, `90m`, `7d`); a time of day (`03:10`,
    /// `03:10:30`), today, or yesterday when today's is still ahead; a local date and time
    /// (`2026-11-25 03:10`, `2026-11-25T03:10:00`); a date alone (midnight, local); or ISO 8601
    /// with a zone (`2026-11-25T03:10:00Z`).
    public static func parse(_ text: String, now: Date, timeZone: TimeZone = .current) throws(ParseError) -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "now" { return now }
        if let back = try? DurationText.seconds(trimmed.hasPrefix("-") ? String(trimmed.dropFirst()) : trimmed) {
            return now.addingTimeInterval(-back)
        }
        if let zoned = iso8601(trimmed) { return zoned }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        if let clock = timeOfDay(trimmed) {
            var components = calendar.dateComponents([.year, .month, .day], from: now)
            (components.hour, components.minute, components.second) = clock
            guard let today = calendar.date(from: components) else { throw failure(text) }
            return today > now ? calendar.date(byAdding: .day, value: -1, to: today) ?? today : today
        }
        if let local = localDate(trimmed, calendar: calendar) { return local }
        throw failure(text)
    }

    private static func failure(_ text: String) -> ParseError {
        ParseError(description: "expected a time such as 2h, -30m, 03:10, 2026-11-25 03:10 or 2026-11-25T03:10:00Z, got '\(text.prefix(40))'")
    }

    private static func iso8601(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// `HH:MM` or `HH:MM:SS`, 24-hour.
    private static func timeOfDay(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        // Hours of one or two digits, minutes and seconds of two: `3:1` is a typo, not 03:01.
        guard (2...3).contains(parts.count), (1...2).contains(parts[0].count), parts.dropFirst().allSatisfy({ $0.count == 2 }),
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        let second = parts.count == 3 ? Int(parts[2]) : 0
        guard let second, (0..<60).contains(second) else { return nil }
        return (hour, minute, second)
    }

    /// `YYYY-MM-DD`, then optionally ` ` or `T` and a time of day, in the given zone.
    private static func localDate(_ text: String, calendar: Calendar) -> Date? {
        let date = text.prefix(10)
        let parts = date.split(separator: "-")
        guard date.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var clock = (0, 0, 0)
        let rest = text.dropFirst(10)
        if !rest.isEmpty {
            guard rest.first == " " || rest.first == "T", let parsed = timeOfDay(String(rest.dropFirst())) else { return nil }
            clock = parsed
        }
        let components = DateComponents(year: year, month: month, day: day, hour: clock.0, minute: clock.1, second: clock.2)
        guard let result = calendar.date(from: components),
              calendar.dateComponents([.year, .month, .day], from: result) == DateComponents(year: year, month: month, day: day)
        else { return nil }
        return result
    }
}

/// A positive duration as a person writes it: a whole number of seconds (s), minutes (m),
/// hours (h), days (d) or weeks (w), at most a hundred years.
public enum DurationText {
    public static func seconds(_ text: String) throws(TimeExpression.ParseError) -> TimeInterval {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.dropLast()
        guard let unit = trimmed.last.flatMap({ units[$0] }), !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let count = Int(digits), count > 0,
              count <= Int(100 * 365 * 86_400 / unit)
        else {
            throw TimeExpression.ParseError(
                description: "expected a duration such as 7d, 36h or 90m (units s, m, h, d, w), got '\(text.prefix(40))'")
        }
        return TimeInterval(count) * unit
    }
}
