import Foundation

/// The calls of one token kept for the trailing window: times in order, each with what it
/// was (a 429, another error), so counts at any `now` are exact at the window's edge.
struct RecentCalls: Sendable {
    struct Entry: Sendable {
        let time: TimeInterval
        let limited: Bool
        let failed: Bool
    }

    private var entries: [Entry] = []
    /// Entries before this index have left the window; compacted lazily.
    private var start = 0

    /// Records a call; out-of-order ones are inserted in place.
    mutating func insert(time: TimeInterval, limited: Bool, failed: Bool) {
        let entry = Entry(time: time, limited: limited, failed: failed)
        if entries.last.map({ $0.time <= time }) ?? true {
            entries.append(entry)
        } else {
            var index = entries.endIndex
            while index > start, entries[index - 1].time > time { index -= 1 }
            entries.insert(entry, at: index)
        }
    }

    /// Drops what is older than `horizon` (kept for as long as any window might still ask).
    mutating func prune(olderThan horizon: TimeInterval) {
        while start < entries.count, entries[start].time < horizon { start += 1 }
        if start > 64, start * 2 > entries.count {
            entries.removeFirst(start)
            start = 0
        }
    }

    struct Counts: Equatable {
        var calls = 0
        var limited = 0
        var failed = 0
        /// Calls in the last tenth of the window, for the forecast's current rate.
        var latest = 0
    }

    /// Counts of calls with `now - window < time` (a call exactly `window` old is out;
    /// calls stamped after `now`, from a clock that stepped back, are in).
    func counts(now: TimeInterval, window: TimeInterval) -> Counts {
        var counts = Counts()
        var index = entries.endIndex
        while index > start {
            index -= 1
            let entry = entries[index]
            let age = now - entry.time
            guard age < window else { break }
            counts.calls += 1
            if entry.limited { counts.limited += 1 }
            if entry.failed { counts.failed += 1 }
            if age < window / 6 { counts.latest += 1 }
        }
        return counts
    }
}
