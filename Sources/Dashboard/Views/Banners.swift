import Foundation
import Monitor
import Screen

/// The rows between the header and the tables: where the screen stands in time (REPLAY, or
/// PAUSED), then the recorders that are down. Empty while live and all is well.
enum Banners {
    static func lines(_ state: State) -> [Banner] {
        var lines: [Banner] = []
        let separator = " \(state.glyphs.separator) "
        if let replay = state.replay {
            var text = "REPLAY \(moment(replay.base, now: state.now, zone: state.timeZone))" + separator + "End: live"
                + separator + "[ ] 1 min  { } 10 min  b time"
            if let note = replay.note { text += separator + StatusText.oneLine(note) }
            lines.append(Banner(text))
        } else if state.paused {
            lines.append(Banner("PAUSED" + separator + "data keeps coming in" + separator + "Z resumes"))
        }
        let down = state.sources.compactMap(trouble)
        if !down.isEmpty {
            lines.append(Banner(StatusText.oneLine(down.joined(separator: separator)), style: Style(.error, bold: true)))
        }
        return lines
    }

    /// `NAME unreachable since 03:12: why`, or nil for a source that is live or connecting.
    static func trouble(_ line: SourceLine) -> String? {
        switch line.condition {
        case .connecting, .live: nil
        case .unreachable(let since, let reason): "\(line.name) unreachable since \(Clock.time(since)): \(reason)"
        case .unreadable(let since, let reason): "\(line.name) unreadable since \(Clock.time(since)): \(reason)"
        }
    }

    /// The time of day; with the date too once it is not within the last day.
    static func moment(_ date: Date, now: Date, zone: TimeZone) -> String {
        let time = Clock.time(date, in: zone)
        guard now.timeIntervalSince(date) >= 20 * 3_600 else { return time }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        func two(_ value: Int?) -> String { (value ?? 0) < 10 ? "0\(value ?? 0)" : "\(value ?? 0)" }
        return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) \(time)"
    }
}
