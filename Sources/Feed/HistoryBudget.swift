import Foundation
import Journal
import ManagementAPI
import NIOCore

/// What a viewer may hold of its sources' history, in rows and in estimated bytes
/// (`JournalEvent.heldBytes`): a source that floods, or sends megabyte descriptions, costs
/// older history, never the window's memory. An hour of 1 000 busy tokens is about 400 000
/// rows, most of them buckets of 256 bytes: 100 MiB, so such an hour is held in part (and a
/// replay that reaches past what is held says so). With the monitor's ring (64 MiB) a window
/// stays under 256 MiB: a burst of a million events peaked at 226 MiB with 96 MiB here.
struct HistoryBudget: Sendable {
    let rows: Int
    let bytes: Int

    static let viewer = HistoryBudget(rows: 400_000, bytes: 64 << 20)
}

/// One read of history (the last hour at attach, an hour for time travel), held within a
/// budget as it arrives in time order: past it, the oldest rows are let go first, so what
/// stays is the newest part, the one that joins the live stream. Counts what it let go.
struct HistoryCollector {
    let budget: HistoryBudget
    private(set) var events = CircularBuffer<JournalEvent>()
    private var bytes = 0
    private(set) var leftOut = 0
    /// The time of the newest row let go.
    private(set) var leftOutUpTo: Date?
    /// Rows read so far, and whether the read stopped at `maxRead` (a source that streams
    /// without end would otherwise hold an attach, or a replay's "loading history…", until
    /// its transfer timed out, an hour later).
    private(set) var read = 0
    private(set) var stopped = false
    var maxRead: Int { budget.rows * 5 }

    /// Thrown out of a read's callback once it has read `maxRead` rows.
    struct Enough: Error {}

    init(budget: HistoryBudget) {
        self.budget = budget
    }

    /// Holds `event`, letting the oldest go past the budget; false once `maxRead` rows were
    /// read (the read stops there, keeping the newest of what it read).
    @discardableResult
    mutating func keep(_ event: JournalEvent) -> Bool {
        guard read < maxRead else {
            stopped = true
            return false
        }
        read += 1
        events.append(event)
        bytes += event.heldBytes
        while events.count > budget.rows || bytes > budget.bytes, let oldest = events.popFirst() {
            bytes -= oldest.heldBytes
            leftOut += 1
            if let time = oldest.time { leftOutUpTo = max(leftOutUpTo ?? time, time) }
        }
        return true
    }
}

extension JournalEvent {
    /// When a call was answered or a bucket's window starts; nil for the other kinds.
    var time: Date? {
        switch self {
        case .call(let call): call.record.time
        case .bucket(let bucket): bucket.start
        case .figure, .token: nil
        }
    }
}
