import Foundation

/// How the writer is doing, for stderr and `/healthz`. Writing never crashes the recorder:
/// it drops records, says so here, and clears `droppingSince` when a write succeeds again.
public struct JournalHealth: Sendable, Equatable, CustomStringConvertible {
    /// When the current run of failed writes began; nil while writes succeed.
    public var droppingSince: Date?
    /// The last write failure, e.g. "database or disk is full".
    public var reason: String?
    /// Records lost since the writer opened: failed writes plus a full queue.
    public var droppedRecords = 0
    /// Of those, the ones refused at `append` because the in-memory queue was full.
    public var droppedAtQueue = 0
    /// When the journal was found deleted while open and made again.
    public var recreatedAt: Date?

    public var isDropping: Bool { droppingSince != nil }

    public var description: String {
        var parts: [String] = []
        if let droppingSince {
            let since = droppingSince.formatted(.iso8601)
            parts.append("dropping records since \(since): \(reason ?? "unknown") (\(droppedRecords) dropped)")
        } else {
            parts.append(droppedRecords > 0 ? "ok (\(droppedRecords) records dropped earlier)" : "ok")
        }
        if let recreatedAt {
            parts.append("journal was deleted while open; recreated at \(recreatedAt.formatted(.iso8601))")
        }
        return parts.joined(separator: "; ")
    }
}
