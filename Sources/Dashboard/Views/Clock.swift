import Foundation

/// Times of day as the screen shows them, in the local time zone.
enum Clock {
    /// `14:03:20`. Built by hand from the zone's offset: a frame formats one per listed call,
    /// and Calendar plus String(format:) cost more than the rest of the frame together.
    static func time(_ date: Date, in zone: TimeZone = .current) -> String {
        let local = Int((date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))).rounded(.down))
        let secondsOfDay = ((local % 86_400) + 86_400) % 86_400
        var text = ""
        text.reserveCapacity(8)
        for (index, part) in [secondsOfDay / 3_600, secondsOfDay / 60 % 60, secondsOfDay % 60].enumerated() {
            if index > 0 { text.append(":") }
            text.append(Character(Unicode.Scalar(UInt8(48 + part / 10))))
            text.append(Character(Unicode.Scalar(UInt8(48 + part % 10))))
        }
        return text
    }
}
