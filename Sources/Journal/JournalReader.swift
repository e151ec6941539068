import Foundation
import GRDB
import ManagementAPI
import Synchronization

/// Reads a journal, beside its writer or without one: WAL readers need no lock.
///
/// A journal deleted and recreated under a running recorder is a new file at the same path:
/// each read checks the path's inode and reopens when it changed, so a long-lived reader (the
/// admin server's) follows the writer to the new file instead of serving the unlinked one.
public final class JournalReader: Sendable {
    private struct Opened {
        var pool: DatabasePool
        var identity: JournalFile.Identity?
    }

    public let path: String
    private let opened: Mutex<Opened>

    public init(path: String) throws(JournalError) {
        self.path = path
        let pool = try JournalFile.openForReading(path: path)
        opened = Mutex(Opened(pool: pool, identity: JournalFile.identity(path: path)))
    }

    /// The pool on the file now at `path`. A path with no file yet (deleted, not yet
    /// recreated) or one that cannot be opened yet (the writer is still creating it) keeps
    /// the old pool until the next read. The old pool is dropped, not closed: a read running
    /// on another thread still holds it, and it closes when the last one lets go.
    private var pool: DatabasePool {
        opened.withLock { opened in
            let current = JournalFile.identity(path: path)
            guard let current, current != opened.identity,
                  let fresh = try? JournalFile.openForReading(path: path) else { return opened.pool }
            opened = Opened(pool: fresh, identity: current)
            return fresh
        }
    }

    /// Every call with `from <= time < to`, oldest first, as records a `Monitor` can ingest:
    /// non-2xx calls exactly, successful ones expanded from the buckets that start in the range
    /// (approximations: see `CallBucket.expanded()`).
    public func calls(from: Date, to: Date) throws -> [CallRecord] {
        let failed = try failedCalls(from: from, to: to).map(\.record)
        let succeeded = try buckets(from: from, to: to).flatMap { $0.expanded() }
        return (failed + succeeded).sorted { $0.time < $1.time }
    }

    /// Non-2xx calls in full, with their request bodies.
    public func failedCalls(from: Date, to: Date) throws -> [JournaledCall] {
        try pool.read { db in
            let query = try Self.callsPage(db, from: from, to: to, after: nil, limit: nil, bodies: true)
            var decoding = RowDecoding()
            return try Row.fetchAll(db, sql: query.sql, arguments: query.arguments).map { try decoding.call($0) }
        }
    }

    /// The failed calls (without their bodies) and the buckets of a range: what a viewer loads
    /// when it attaches. Unpaged, so an hour is two queries, run at once on two of the pool's
    /// readers (decoding rows is most of an attach); a caller with a longer range pages with
    /// `RangeReader` instead. Two reads, not one transaction: a viewer asks the last seq
    /// first and keeps each row once, so a row written in between is neither lost nor doubled.
    public func history(from: Date, to: Date) async throws -> (calls: [JournaledCall], buckets: [CallBucket]) {
        let bounds = range(from, to)
        let pool = pool
        async let calls = pool.read { db in
            let query = try Self.callsPage(db, from: from, to: to, after: nil, limit: nil, bodies: false)
            var decoding = RowDecoding()
            return try Row.fetchAll(db, sql: query.sql, arguments: query.arguments).map { try decoding.call($0) }
        }
        async let buckets = pool.read { db in try Self.buckets(db, bounds) }
        return (try await calls, try await buckets)
    }

    /// A page of the non-2xx calls in the range, in (time, seq) order: those after `cursor`
    /// (nil: from the start), at most `limit`. Without `bodies` the request bodies stay on
    /// disk (`requestBody` is nil), for readers that never send them. Async: it runs on the
    /// database's own threads, so a long range never holds a thread the tap's answers need.
    public func failedCalls(from: Date, to: Date, after cursor: RangeCursor?, limit: Int, bodies: Bool) async throws -> [JournaledCall] {
        try await pool.read { db in
            let query = try Self.callsPage(db, from: from, to: to, after: cursor, limit: limit, bodies: bodies)
            var decoding = RowDecoding()
            return try Row.fetchAll(db, sql: query.sql, arguments: query.arguments).map { try decoding.call($0) }
        }
    }

    /// Buckets whose window starts in the range.
    /// Read whole, nothing pages past a row, so the order is the index's own: (start, seq)
    /// needs no sort, where a page's order by identity would.
    public func buckets(from: Date, to: Date) throws -> [CallBucket] {
        let bounds = range(from, to)
        return try pool.read { db in try Self.buckets(db, bounds) }
    }

    private static func buckets(_ db: Database, _ bounds: StatementArguments) throws -> [CallBucket] {
        let names = try RowDecoding.names(db)
        return try Row.fetchAll(
            db, sql: "SELECT \(try RowDecoding.bucketColumns(db)) WHERE b.start >= ? AND b.start < ? ORDER BY b.start, b.seq", arguments: bounds
        ).map { RowDecoding.bucket($0, names: names) }
    }

    /// A page of the buckets starting in the range, in (start, first seq) order, as
    /// `failedCalls`; the cursor's seq is a bucket's `firstSeq`. Paged by the identity, not
    /// by `seq`, which an update of a window still open changes: a bucket sent on one page
    /// would otherwise come again, with its new seq, on the next.
    public func buckets(from: Date, to: Date, after cursor: RangeCursor?, limit: Int) async throws -> [CallBucket] {
        try await pool.read { db in
            let query = try Self.bucketsPage(db, from: from, to: to, after: cursor, limit: limit)
            let names = try RowDecoding.names(db)
            return try Row.fetchAll(db, sql: query.sql, arguments: query.arguments).map { RowDecoding.bucket($0, names: names) }
        }
    }

    /// The lower bound is the later of `from` and the cursor's time, bound as a plain value,
    /// so SQLite seeks the time index straight to the page instead of scanning from `from`
    /// (the OR below alone cannot bound the index: each page would cost more than the last).
    private static func callsPage(
        _ db: Database, from: Date, to: Date, after cursor: RangeCursor?, limit: Int?, bodies: Bool
    ) throws -> (sql: String, arguments: StatementArguments) {
        let bounds = pageBounds(from: from, to: to, after: cursor, limit: limit)
        return ("SELECT \(bodies ? try RowDecoding.callColumns(db) : try RowDecoding.callColumnsWithoutBody(db)) WHERE c.at >= ? AND c.at < ? "
            + "AND (c.at > ? OR (c.at = ? AND c.seq > ?)) ORDER BY c.at, c.seq LIMIT ?", bounds)
    }

    /// A journal of schema 1 that no writer has migrated yet has no `first_seq`: its rows were
    /// never updated by a later batch, so their seq is their identity.
    private static func bucketsPage(
        _ db: Database, from: Date, to: Date, after cursor: RangeCursor?, limit: Int?
    ) throws -> (sql: String, arguments: StatementArguments) {
        let bounds = pageBounds(from: from, to: to, after: cursor, limit: limit)
        let identity = try db.columns(in: "buckets").contains { $0.name == "first_seq" } ? "coalesce(b.first_seq, b.seq)" : "b.seq"
        return ("SELECT \(try RowDecoding.bucketColumns(db)) WHERE b.start >= ? AND b.start < ? "
            + "AND (b.start > ? OR (b.start = ? AND \(identity) > ?)) ORDER BY b.start, \(identity) LIMIT ?", bounds)
    }

    /// The range (its start moved up to the cursor), the cursor (before everything when nil)
    /// and the limit (-1: none, to SQLite).
    private static func pageBounds(from: Date, to: Date, after cursor: RangeCursor?, limit: Int?) -> StatementArguments {
        let start = from.timeIntervalSinceReferenceDate
        let time = cursor?.time.timeIntervalSinceReferenceDate ?? -Double.greatestFiniteMagnitude
        let seq = cursor?.seq ?? Int64.min
        return [max(start, time), to.timeIntervalSinceReferenceDate, time, time, seq, limit ?? -1]
    }

    /// Server figures dated in the range, oldest first: every one of a non-2xx call, and the
    /// newest of each bucket of successful calls (see `ServerFigure`).
    public func figures(from: Date, to: Date) throws -> [ServerFigure] {
        let ofCalls = try pool.read { db in
            var decoding = RowDecoding()
            return try Row.fetchAll(
                db,
                sql: "SELECT \(try RowDecoding.callColumns(db)) WHERE c.at >= ? AND c.at < ? "
                    + "AND (c.rate_limit IS NOT NULL OR c.rate_remaining IS NOT NULL) ORDER BY c.at, c.seq",
                arguments: range(from, to)
            ).compactMap { try decoding.call($0).figure }
        }
        // A bucket's figure is within its 10 s: look one window earlier than `from`.
        let ofBuckets = try buckets(from: from.addingTimeInterval(-CallBucket.width), to: to).compactMap(\.figure)
            .filter { $0.time >= from && $0.time < to }
        return (ofCalls + ofBuckets).sorted { ($0.time, $0.seq) < ($1.time, $1.seq) }
    }

    public func tokens() throws -> [SeenToken] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY seq").map(RowDecoding.seenToken)
        }
    }

    /// Events of every kind with a seq above `seq`, in seq order: an SSE stream resumes here
    /// from its `Last-Event-ID`. At most `limit` events, so a far-behind client pages; request
    /// bodies stay on disk (the stream never sends them). A
    /// call's or a bucket's figure is the event right after it (`seq + 1`), read from its row.
    public func events(after seq: Int64, limit: Int = 1_000) throws -> [JournalEvent] {
        try pool.read { db in try Self.events(db, after: seq, limit: limit) }
    }

    /// `events(after:limit:)` on the database's own threads, for the SSE feed: a client far
    /// behind never holds a thread the tap's answers need.
    public func eventsPage(after seq: Int64, limit: Int) async throws -> [JournalEvent] {
        try await pool.read { db in try Self.events(db, after: seq, limit: limit) }
    }

    /// What a failed call needs to be replayed and the monitor does not keep: its journaled
    /// request body and query string, found by its exact time, token, method and path (what
    /// `y` needs); nil when the call was not journaled.
    public func replayParts(of record: CallRecord) throws -> (body: RequestBody?, query: String?)? {
        let time = record.time.timeIntervalSinceReferenceDate
        return try pool.read { db in
            let query = try db.columns(in: "calls").contains { $0.name == "query" } ? "c.query" : "NULL AS query"
            let row = try Row.fetchOne(
                db,
                sql: "SELECT c.request_body, c.request_body_cut, \(query) FROM calls c JOIN tokens t ON t.id = c.token "
                    // A record that came over the wire has its time to the millisecond: the nearest
                    // within one.
                    + "WHERE c.at BETWEEN ? AND ? AND c.method = ? AND c.path = ? AND t.fingerprint = ? ORDER BY abs(c.at - ?) LIMIT 1",
                arguments: [time - 0.001, time + 0.001, record.method, record.path, record.token.fingerprint.hex, time])
            guard let row else { return nil }
            let body = (row["request_body"] as Data?).map { RequestBody(bytes: $0, cut: row["request_body_cut"]) }
            return (body, row["query"])
        }
    }

    /// How many tokens the journal knows, without reading them (for /healthz).
    public func tokenCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tokens") ?? 0 }
    }

    private static func events(_ db: Database, after seq: Int64, limit: Int) throws -> [JournalEvent] {
        // `>=`: the row at `seq` may own `seq + 1`, its figure. Each row gives at most two
        // events, so `limit + 1` rows per table always cover the first `limit` events.
        let arguments: StatementArguments = [seq, limit + 1]
        var decoding = RowDecoding()
        var events: [JournalEvent] = []
        for row in try Row.fetchAll(
            db, sql: "SELECT \(try RowDecoding.callColumnsWithoutBody(db)) WHERE c.seq >= ? ORDER BY c.seq LIMIT ?", arguments: arguments)
        {
            let call = try decoding.call(row)
            events.append(.call(call))
            if let figure = call.figure { events.append(.figure(figure)) }
        }
        let names = try RowDecoding.names(db)
        for row in try Row.fetchAll(
            db, sql: "SELECT \(try RowDecoding.bucketColumns(db)) WHERE b.seq >= ? ORDER BY b.seq LIMIT ?", arguments: arguments)
        {
            let bucket = RowDecoding.bucket(row, names: names)
            events.append(.bucket(bucket))
            if let figure = bucket.figure { events.append(.figure(figure)) }
        }
        events += try Row.fetchAll(
            db, sql: "SELECT * FROM tokens WHERE seq > ? ORDER BY seq LIMIT ?", arguments: arguments
        ).map { JournalEvent.token(RowDecoding.seenToken($0)) }
        return Array(events.filter { $0.seq > seq }.sorted { $0.seq < $1.seq }.prefix(limit))
    }

    /// The highest seq written so far (0 for an empty journal): a viewer that reads a range and
    /// then follows `/v1/events` after this misses nothing written after the read began.
    public func lastSeq() async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT max(s) FROM (SELECT max(seq) AS s FROM calls UNION ALL SELECT max(seq) FROM buckets "
                    + "UNION ALL SELECT max(seq) FROM tokens)") ?? 0
        }
    }

    /// `oldestRecordTime()` on the database's own threads, for /healthz.
    public func oldestRecord() async throws -> Date? {
        try await pool.read(Self.oldest)
    }

    /// The time of the oldest call or bucket; nil for an empty journal.
    public func oldestRecordTime() throws -> Date? {
        try pool.read(Self.oldest)
    }

    private static func oldest(_ db: Database) throws -> Date? {
        try Double.fetchOne(
            db, sql: "SELECT min(t) FROM (SELECT min(at) AS t FROM calls UNION ALL SELECT min(start) FROM buckets)"
        ).map(Date.init(timeIntervalSinceReferenceDate:))
    }

    /// Bytes on disk: the file and its write-ahead log.
    public var fileSize: Int64 { JournalFile.size(path: path) }

    public func close() throws { try opened.withLock { try $0.pool.close() } }

    func read<T>(_ body: (Database) throws -> T) throws -> T { try pool.read(body) }

    private func range(_ from: Date, _ to: Date) -> StatementArguments {
        [from.timeIntervalSinceReferenceDate, to.timeIntervalSinceReferenceDate]
    }
}
