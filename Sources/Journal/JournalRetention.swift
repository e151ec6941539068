import Foundation
import GRDB

/// What a retention pass removed, and the file's size around it.
public struct RetentionResult: Sendable, Equatable {
    public var deletedRows = 0
    public var daysRemoved = 0
    /// Request bodies dropped (their calls kept) once only the newest hour was left to delete.
    public var bodiesRemoved = 0
    /// Still over the size asked for: what is left is the newest hour, which is never deleted.
    public var overSize = false
    public var bytesBefore: Int64 = 0
    public var bytesAfter: Int64 = 0
}

extension JournalStore {
    private static let day: TimeInterval = 86_400
    private static let timedTables = [("calls", "at"), ("buckets", "start")]
    /// Never deleted to make room: a flood of large calls must not wipe what just happened.
    static let protectedSpan: TimeInterval = 3_600
    /// Rows deleted, or bodies dropped, per write: each is a short transaction, so the writer's
    /// batches keep landing between them (a whole day in one transaction held them for seconds).
    static let rowsPerStep = 2_000
    /// Pages given back to the file system per write.
    static let pagesPerStep = 1_024

    /// Deletes every call and bucket (with the figures they hold) older than `cutoff`. The
    /// tokens stay (they are few, at most the cap, and say who was ever seen). `deletedRows`
    /// counts calls and buckets.
    func prune(olderThan cutoff: Date) async throws -> RetentionResult {
        var result = RetentionResult(bytesBefore: JournalFile.size(path: path))
        result.deletedRows = try await deleteRows(before: cutoff.timeIntervalSinceReferenceDate)
        if result.deletedRows > 0 { try await dropUnusedErrorSets() }
        try await shrink()
        result.bytesAfter = JournalFile.size(path: path)
        return result
    }

    /// Makes the journal fit in `maxBytes` (DESIGN.md section 8): the oldest whole UTC day goes
    /// first, again and again, but never the newest hour; then the request bodies of the oldest
    /// calls, whose calls stay. What is left over the size is the newest hour, and
    /// `overSize` says so. Freed pages go back to the file system a few at a time.
    func enforce(maxBytes: Int64) async throws -> RetentionResult {
        var result = RetentionResult(bytesBefore: JournalFile.size(path: path))
        guard result.bytesBefore > maxBytes else {
            result.bytesAfter = result.bytesBefore
            return result
        }
        let protectedFrom = try await newestTime().map { $0 - Self.protectedSpan }
        while try await liveBytes() > maxBytes, let protectedFrom, let oldest = try await oldestTime(), oldest < protectedFrom {
            // Reference-date days are UTC days: 2001-01-01 is a multiple of 86 400 s after 1970.
            let dayStart = (oldest / Self.day).rounded(.down) * Self.day
            result.deletedRows += try await deleteRows(before: min(dayStart + Self.day, protectedFrom))
            result.daysRemoved += 1
        }
        if result.deletedRows > 0 { try await dropUnusedErrorSets() }
        while try await liveBytes() > maxBytes {
            let dropped = try await dropOldestBodies()
            guard dropped > 0 else { break }
            result.bodiesRemoved += dropped
        }
        result.overSize = try await liveBytes() > maxBytes
        try await shrink()
        result.bytesAfter = JournalFile.size(path: path)
        return result
    }

    /// Deletes the calls and buckets before `limit`, `rowsPerStep` at a time. No cache points
    /// at them: the writer remembers only buckets within minutes of the newest one it wrote,
    /// and retention never deletes the newest hour.
    private func deleteRows(before limit: Double) async throws -> Int {
        var deleted = 0
        for (table, column) in Self.timedTables {
            while true {
                let step = try await writerPool.write { db in
                    try db.execute(
                        sql: "DELETE FROM \(table) WHERE seq IN (SELECT seq FROM \(table) WHERE \(column) < ? LIMIT ?)",
                        arguments: [limit, Self.rowsPerStep])
                    return db.changesCount
                }
                deleted += step
                if step < Self.rowsPerStep { break }
            }
        }
        return deleted
    }

    /// Deletes the error sets no call refers to any more. The writer's cache of error sets is
    /// forgotten before the delete is queued, in the same turn of the actor: GRDB runs writes
    /// in the order they were queued, so every batch prepared with the old cache is written
    /// before the delete (and keeps its sets), and every batch prepared after starts afresh.
    private func dropUnusedErrorSets() async throws {
        forgetDeletedRows()
        try await writerPool.write { db in
            try db.execute(sql: "DELETE FROM error_sets WHERE id NOT IN (SELECT errors FROM calls WHERE errors IS NOT NULL)")
        }
    }

    /// Drops the request bodies of the oldest calls that still have one; how many.
    private func dropOldestBodies() async throws -> Int {
        try await writerPool.write { db in
            try db.execute(
                sql: """
                    UPDATE calls SET request_body = NULL, request_body_cut = 1
                    WHERE seq IN (SELECT seq FROM calls WHERE request_body IS NOT NULL ORDER BY seq LIMIT ?)
                    """,
                arguments: [Self.rowsPerStep])
            return db.changesCount
        }
    }

    private func oldestTime() async throws -> Double? {
        try await writerPool.read { db in
            try Double.fetchOne(
                db,
                sql: "SELECT min(t) FROM (SELECT min(at) AS t FROM calls UNION ALL SELECT min(start) FROM buckets)")
        }
    }

    private func newestTime() async throws -> Double? {
        try await writerPool.read { db in
            try Double.fetchOne(
                db,
                sql: "SELECT max(t) FROM (SELECT max(at) AS t FROM calls UNION ALL SELECT max(start) FROM buckets)")
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

    /// Gives free pages back to the file system, `pagesPerStep` per write (an incremental
    /// vacuum, which a journal opened for writing has switched on), then folds the WAL into
    /// the file and truncates it, so the size on disk is the real size. That last step waits
    /// for readers (at most the busy timeout), once per pass that freed something.
    private func shrink() async throws {
        var freed = false
        while try await writerPool.read({ db in try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0 }) > 0 {
            let before = try await writerPool.writeWithoutTransaction { db -> Int in
                let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
                try db.execute(sql: "PRAGMA incremental_vacuum(\(Self.pagesPerStep))")
                return free
            }
            let after = try await writerPool.read { db in try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0 }
            // A file without auto_vacuum gives nothing back: stop rather than loop.
            if after >= before { break }
            freed = true
        }
        if freed { try await writerPool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) } }
    }
}
