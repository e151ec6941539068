import Foundation
import GRDB
import ManagementAPI

/// Reads a journal, beside its writer or without one: WAL readers need no lock.
public final class JournalReader: Sendable {
    public let path: String
    private let pool: DatabasePool

    public init(path: String) throws(JournalError) {
        self.path = path
        pool = try JournalFile.openForReading(path: path)
    }

    /// Every call with `from <= time < to`, oldest first, as records a `Monitor` can ingest:
    /// non-2xx calls exactly, successful ones expanded from their buckets (approximations:
    /// each at its bucket's start, with the bucket's mean latency and no path).
    public func calls(from: Date, to: Date) throws -> [CallRecord] {
        let failed = try failedCalls(from: from, to: to).map(\.record)
        let succeeded = try buckets(from: from, to: to).flatMap { $0.expanded() }
        return (failed + succeeded).sorted { $0.time < $1.time }
    }

    /// Non-2xx calls in full, with their request bodies.
    public func failedCalls(from: Date, to: Date) throws -> [JournaledCall] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM calls WHERE at >= ? AND at < ? ORDER BY at, seq", arguments: range(from, to))
                .map(RowDecoding.call)
        }
    }

    /// Buckets whose window starts in the range.
    public func buckets(from: Date, to: Date) throws -> [CallBucket] {
        try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM buckets WHERE start >= ? AND start < ? ORDER BY start, seq", arguments: range(from, to)
            ).map(RowDecoding.bucket)
        }
    }

    public func figures(from: Date, to: Date) throws -> [ServerFigure] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM figures WHERE at >= ? AND at < ? ORDER BY at, seq", arguments: range(from, to))
                .map(RowDecoding.figure)
        }
    }

    public func tokens() throws -> [SeenToken] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY seq").map(RowDecoding.seenToken)
        }
    }

    /// Rows of every kind with a seq above `seq`, in seq order: an SSE stream resumes here
    /// from its `Last-Event-ID`. At most `limit` rows, so a far-behind client pages.
    public func events(after seq: Int64, limit: Int = 1_000) throws -> [JournalEvent] {
        try pool.read { db in
            let arguments: StatementArguments = [seq, limit]
            func rows(_ table: String) throws -> [Row] {
                try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE seq > ? ORDER BY seq LIMIT ?", arguments: arguments)
            }
            var events = try rows("calls").map { JournalEvent.call(try RowDecoding.call($0)) }
            events += try rows("buckets").map { JournalEvent.bucket(RowDecoding.bucket($0)) }
            events += try rows("figures").map { JournalEvent.figure(RowDecoding.figure($0)) }
            events += try rows("tokens").map { JournalEvent.token(RowDecoding.seenToken($0)) }
            return Array(events.sorted { $0.seq < $1.seq }.prefix(limit))
        }
    }

    /// The time of the oldest call, bucket or figure; nil for an empty journal.
    public func oldestRecordTime() throws -> Date? {
        try pool.read { db in
            try Double.fetchOne(
                db,
                sql: "SELECT min(t) FROM (SELECT min(at) AS t FROM calls UNION ALL SELECT min(at) FROM figures "
                    + "UNION ALL SELECT min(start) FROM buckets)"
            ).map(Date.init(timeIntervalSinceReferenceDate:))
        }
    }

    /// Bytes on disk: the file and its write-ahead log.
    public var fileSize: Int64 { JournalFile.size(path: path) }

    public func close() throws { try pool.close() }

    private func range(_ from: Date, _ to: Date) -> StatementArguments {
        [from.timeIntervalSinceReferenceDate, to.timeIntervalSinceReferenceDate]
    }
}
