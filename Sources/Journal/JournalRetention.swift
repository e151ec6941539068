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
    /// Never deleted: a flood of large calls must not wipe what just happened, and the
    /// writer's cache of open buckets (minutes before the newest) never points at a deleted row.
    static let protectedSpan: TimeInterval = 3_600
    /// Rows deleted, or bodies dropped, per write: each is a short transaction, so the writer's
    /// batches keep landing between them (a whole day in one transaction held them for seconds).
    static let rowsPerStep = 2_000
    /// Pages given back to the file system per write.
    static let pagesPerStep = 1_024

    /// Deletes every call and bucket (with the figures they hold) older than `cutoff`, never
    /// the newest hour. The tokens stay (they are few, at most the cap, and say who was ever
    /// seen). `deletedRows` counts calls and buckets.
    func prune(olderThan cutoff: Date, now: Date) async throws -> RetentionResult {
        var result = RetentionResult(bytesBefore: JournalFile.size(path: path))
        guard let protectedFrom = try await protectedFrom(now: now) else {
            result.bytesAfter = result.bytesBefore
            return result
        }
        result.deletedRows = try await deleteRows(before: min(cutoff.timeIntervalSinceReferenceDate, protectedFrom))
        if result.deletedRows > 0 {
            try await dropUnusedErrorSets()
            try await dropUnusedNames()
        }
        try await shrink()
        result.bytesAfter = JournalFile.size(path: path)
        return result
    }

    /// Makes the journal fit in `maxBytes` (DESIGN.md section 8): the oldest whole UTC day goes
    /// first, again and again, but never the newest hour; then the request bodies of the oldest
    /// calls, whose calls stay (those there when the pass began: a flood cannot keep one pass
    /// going). What is left over the size is the newest hour, and `overSize` says so. Freed
    /// pages go back to the file system a few at a time.
    func enforce(maxBytes: Int64, now: Date) async throws -> RetentionResult {
        var result = RetentionResult(bytesBefore: JournalFile.size(path: path))
        guard result.bytesBefore > maxBytes, let protectedFrom = try await protectedFrom(now: now) else {
            result.bytesAfter = result.bytesBefore
            return result
        }
        while try await liveBytes() > maxBytes, let oldest = try await oldestTime(), oldest < protectedFrom {
            // Reference-date days are UTC days: 2001-01-01 is a multiple of 86 400 s after 1970.
            let dayStart = (oldest / Self.day).rounded(.down) * Self.day
            result.deletedRows += try await deleteRows(before: min(dayStart + Self.day, protectedFrom))
            result.daysRemoved += 1
        }
        if result.deletedRows > 0 {
            try await dropUnusedErrorSets()
            try await dropUnusedNames()
        }
        let lastAtStart = try await writerPool.read { db in try Int64.fetchOne(db, sql: "SELECT max(seq) FROM calls") ?? 0 }
        var cursor: Int64 = 0
        while cursor < lastAtStart, try await liveBytes() > maxBytes {
            let step = try await dropBodies(after: cursor, upTo: lastAtStart)
            result.bodiesRemoved += step.dropped
            cursor = step.last
        }
        result.overSize = try await liveBytes() > maxBytes
        try await shrink()
        result.bytesAfter = JournalFile.size(path: path)
        return result
    }

    /// Where the newest hour begins: an hour before the newest row, or before now when a row
    /// is dated ahead of the clock (a source whose clock ran fast must not expose this hour).
    /// Nil for an empty journal.
    private func protectedFrom(now: Date) async throws -> Double? {
        guard let newest = try await newestTime() else { return nil }
        return min(newest, now.timeIntervalSinceReferenceDate) - Self.protectedSpan
    }

    /// Deletes the calls and buckets before `limit`, `rowsPerStep` at a time.
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

    /// Deletes the error sets no call refers to any more, except those the writer has cached:
    /// a batch prepared with the cache can be written after this delete, naming a set that no
    /// row named when the delete ran.
    private func dropUnusedErrorSets() async throws {
        let cached = cachedErrorSetIDs.map(String.init).joined(separator: ",")
        try await writerPool.write { db in
            try db.execute(
                sql: """
                    DELETE FROM error_sets
                    WHERE id NOT IN (SELECT errors FROM calls WHERE errors IS NOT NULL)
                      AND id NOT IN (SELECT value FROM json_each(?))
                    """,
                arguments: ["[" + cached + "]"])
        }
    }

    /// Deletes the job and route names no row refers to any more, except those the writer has
    /// cached (as for error sets), then lets the cache keep only the names used since the last
    /// pass: a name nobody calls any more leaves the table at the pass after next. Buckets name
    /// theirs inside `parts`, so their ids are gathered by a read beside the writer; a name
    /// made after it (an id past the highest it saw) is left alone.
    private func dropUnusedNames() async throws {
        let cached = Set(cachedNameIDs)
        let (referenced, highest) = try await writerPool.read { db -> (Set<Int64>, Int64) in
            let highest = try Int64.fetchOne(db, sql: "SELECT max(id) FROM names") ?? 0
            var ids = Set(try Int64.fetchAll(
                db, sql: "SELECT job FROM calls WHERE job IS NOT NULL UNION SELECT route FROM calls WHERE route IS NOT NULL"))
            let rows = try Data.fetchCursor(db, sql: "SELECT parts FROM buckets WHERE parts IS NOT NULL")
            while let parts = try rows.next() { BucketParts.ids(in: parts, into: &ids) }
            return (ids, highest)
        }
        try await writerPool.write { db in
            let unused = try Int64.fetchAll(db, sql: "SELECT id FROM names WHERE id <= ?", arguments: [highest])
                .filter { !referenced.contains($0) && !cached.contains($0) }
            guard !unused.isEmpty else { return }
            try db.execute(
                sql: "DELETE FROM names WHERE id IN (SELECT value FROM json_each(?))",
                arguments: ["[" + unused.map(String.init).joined(separator: ",") + "]"])
        }
        keepOnlyUsedNames()
    }

    /// Drops the request bodies of up to `rowsPerStep` calls after seq `cursor` (and at most
    /// `last`), oldest first; how many, and the seq to go on from.
    private func dropBodies(after cursor: Int64, upTo last: Int64) async throws -> (dropped: Int, last: Int64) {
        try await writerPool.write { db in
            let seqs = try Int64.fetchAll(
                db, sql: "SELECT seq FROM calls WHERE seq > ? AND seq <= ? AND request_body IS NOT NULL ORDER BY seq LIMIT ?",
                arguments: [cursor, last, Self.rowsPerStep])
            guard let end = seqs.last else { return (0, last) }
            try db.execute(
                sql: "UPDATE calls SET request_body = NULL, request_body_cut = 1 WHERE seq > ? AND seq <= ? AND request_body IS NOT NULL",
                arguments: [cursor, end])
            return (db.changesCount, end)
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
    /// vacuum, which a journal opened for writing has switched on), then folds the WAL into the
    /// file with a passive checkpoint, which never waits for a reader (the WAL is cut back to
    /// `JournalFile.walSizeLimit` once a checkpoint has emptied it).
    private func shrink() async throws {
        while try await writerPool.read({ db in try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0 }) > 0 {
            let (before, after) = try await writerPool.writeWithoutTransaction { db -> (Int, Int) in
                let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
                try db.execute(sql: "PRAGMA incremental_vacuum(\(Self.pagesPerStep))")
                return (free, try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
            }
            // A file without auto_vacuum gives nothing back: stop rather than loop.
            if after >= before { break }
        }
        try await writerPool.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
    }
}
