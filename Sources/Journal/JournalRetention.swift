import Foundation
import GRDB

/// What a retention pass removed, and the file's size around it.
public struct RetentionResult: Sendable, Equatable {
    public var deletedRows = 0
    public var daysRemoved = 0
    public var bytesBefore: Int64 = 0
    public var bytesAfter: Int64 = 0
}

extension JournalStore {
    private static let day: TimeInterval = 86_400
    private static let timedTables = [("calls", "at"), ("buckets", "start")]

    /// Deletes every call and bucket (with the figures they hold) older than `cutoff`. Freed
    /// pages are reused, so the file stops growing; the tokens stay (they are few, at most the
    /// cap, and say who was ever seen). `deletedRows` counts calls and buckets.
    func prune(olderThan cutoff: Date) async throws -> RetentionResult {
        var result = RetentionResult(bytesBefore: JournalFile.size(path: path))
        result.deletedRows = try deleteRows(before: cutoff.timeIntervalSinceReferenceDate)
        try await checkpoint()
        result.bytesAfter = JournalFile.size(path: path)
        return result
    }

    /// Removes the oldest whole UTC day (calls and buckets) until the live data fits in `maxBytes`, then vacuums so
    /// the file itself shrinks (deleted rows alone only leave free pages inside it).
    func enforce(maxBytes: Int64) async throws -> RetentionResult {
        var result = RetentionResult(bytesBefore: JournalFile.size(path: path))
        guard result.bytesBefore > maxBytes else {
            result.bytesAfter = result.bytesBefore
            return result
        }
        while try await liveBytes() > maxBytes, let oldest = try await oldestTime() {
            // Reference-date days are UTC days: 2001-01-01 is a multiple of 86 400 s after 1970.
            let dayStart = (oldest / Self.day).rounded(.down) * Self.day
            result.deletedRows += try deleteRows(before: dayStart + Self.day)
            result.daysRemoved += 1
        }
        try await checkpoint()
        try await writerPool.vacuum()
        try await checkpoint()
        result.bytesAfter = JournalFile.size(path: path)
        return result
    }

    /// Also deletes the error sets no call refers to any more. Synchronous on purpose: the
    /// actor does not suspend between deleting rows and forgetting the caches that point at
    /// them, so no batch can be prepared in between with an error set id about to vanish.
    private func deleteRows(before limit: Double) throws -> Int {
        let (deleted, sets) = try writerPool.write { db in
            var deleted = 0
            for (table, column) in Self.timedTables {
                try db.execute(sql: "DELETE FROM \(table) WHERE \(column) < ?", arguments: [limit])
                deleted += db.changesCount
            }
            try db.execute(
                sql: "DELETE FROM error_sets WHERE id NOT IN (SELECT errors FROM calls WHERE errors IS NOT NULL)")
            return (deleted, db.changesCount)
        }
        // Only when something went: forgetting for nothing would give every open window a
        // second row at each hourly pass.
        if deleted + sets > 0 { forgetDeletedRows() }
        return deleted
    }

    private func oldestTime() async throws -> Double? {
        try await writerPool.read { db in
            try Double.fetchOne(
                db,
                sql: "SELECT min(t) FROM (SELECT min(at) AS t FROM calls UNION ALL SELECT min(start) FROM buckets)")
        }
    }

    /// Pages holding data, not counting free pages a vacuum would give back.
    private func liveBytes() async throws -> Int64 {
        try await writerPool.read { db in
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            let size = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            return (pages - free) * size
        }
    }

    /// Copies the WAL into the file and truncates it, so the size on disk is the real size.
    private func checkpoint() async throws {
        try await writerPool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }
}
