import Foundation

/// `14:03:20`, the one way mapitop writes a time of day (the dashboard's rows and clock, the
/// tap's access lines). Built by hand from the zone's offset: a frame formats one per listed
/// call, and Calendar plus String(format:) cost more than the rest of the frame together.
public enum TimeOfDay {
    public static func text(_ date: Date, in zone: TimeZone = .current) -> String {
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

    public static let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
}
