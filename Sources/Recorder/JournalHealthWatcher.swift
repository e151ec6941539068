import Foundation
import Journal
import ServiceLifecycle

/// Says on stderr, once, when the journal starts dropping records and why, and once when it
/// writes again; `/healthz` says the same to machines. Without it a recorder on a full disk
/// would go on answering calls while keeping none of them, and nobody would know.
struct JournalHealthWatcher: Service {
    let journal: JournalWriter
    /// How long it waits between looks while the journal's health does not change: a change
    /// wakes it at once; the tap's drops are looked at this often.
    let interval: Duration
    /// Calls the tap answered without recording (its hand-over queue was full).
    var tapDropped: @Sendable () -> Int = { 0 }
    let report: @Sendable (String) -> Void

    /// What was last said, so each change is said once.
    struct Seen: Equatable {
        var dropping = false
        var droppedRecords = 0
        var droppedAtQueue = 0
        var recreatedAt: Date?
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var seen = Seen()
            var tapSeen = TapSeen()
            while !Task.isCancelled {
                let generation = journal.healthChanges.generation
                seen = Self.check(journal.health, path: journal.path, after: seen, report: report)
                tapSeen = Self.checkTap(dropped: tapDropped(), after: tapSeen, report: report)
                await journal.healthChanges.wait(past: generation, timeout: interval)
            }
        }
    }

    /// The tap's own losses (calls answered faster than they could be handed over): said once
    /// when they start, and once more each time they start again after a look without any.
    static func checkTap(dropped: Int, after seen: TapSeen, report: (String) -> Void) -> TapSeen {
        let growing = dropped > seen.dropped
        if growing, !seen.growing {
            report("the tap's record queue is full: calls are answered but not recorded (\(dropped) so far); the tap keeps forwarding")
        }
        return TapSeen(dropped: dropped, growing: growing)
    }

    struct TapSeen: Equatable {
        var dropped = 0
        var growing = false
    }

    /// Any loss counts as dropping for as long as the count grows: a full queue (the disk is
    /// slower than the traffic) while every write succeeds, and a batch that failed between two
    /// looks, its successor already written, which the writer's flag alone would not show.
    static func check(_ health: JournalHealth, path: String, after seen: Seen, report: (String) -> Void) -> Seen {
        var next = seen
        let lost = health.droppedRecords > seen.droppedRecords
        let dropping = health.isDropping || lost
        if dropping, !seen.dropping {
            let queueFull = !health.isDropping && health.droppedAtQueue > seen.droppedAtQueue
            let why = queueFull ? "the write queue is full (the disk is slower than the traffic)" : (health.reason ?? "writes fail")
            report("the journal \(path) is dropping records: \(String(why.prefix(300))); the tap keeps forwarding")
        } else if !dropping, seen.dropping {
            report("the journal \(path) is writing again (\(health.droppedRecords) records dropped in all)")
        }
        if let recreated = health.recreatedAt, recreated != seen.recreatedAt {
            report("the journal \(path) was deleted while open; recording into a new file there")
        }
        next.dropping = dropping
        next.droppedRecords = health.droppedRecords
        next.droppedAtQueue = health.droppedAtQueue
        next.recreatedAt = health.recreatedAt
        return next
    }
}
