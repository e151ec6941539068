import Foundation
import GRDB
import ManagementAPI

/// What one transaction writes: rows with their sequence numbers and token ids already given.
struct PreparedBatch: Sendable {
    struct Call: Sendable {
        /// The call's event; a call with a figure also owns `seq + 1`, its figure's event.
        let seq: Int64
        let token: Int64
        /// `names` ids of the record's job and route.
        let job: Int64
        let route: Int64
        let record: CallRecord
        let errorSet: Int64?
        let body: RequestBody?
        let query: String?
    }
    struct Token: Sendable {
        let seq: Int64
        let entry: TokenDirectory.Entry
    }
    struct ErrorSet: Sendable {
        let id: Int64
        let json: String
    }
    struct Bucket: Sendable {
        /// The bucket's event; `seq + 1` is kept for its figure's.
        let seq: Int64
        let key: BucketFolder.Key
        let tally: BucketFolder.Tally
        /// The seq of this bucket's row written by an earlier batch of this session (its window
        /// was still open), to add to instead of inserting a second row.
        let replacing: Int64?
        /// The parts of the row once this batch is added: `tally`'s when it is new.
        let partsAfter: BucketParts
    }
    struct Name: Sendable {
        let id: Int64
        let text: String
    }

    var tokens: [Token] = []
    var errorSets: [ErrorSet] = []
    var names: [Name] = []
    var calls: [Call] = []
    var buckets: [Bucket] = []
    var lastSeq: Int64 = 0

    var isEmpty: Bool { tokens.isEmpty && calls.isEmpty && buckets.isEmpty }

    /// Writes every row inside the caller's transaction, with cached statements (100 000
    /// records must not parse SQL 100 000 times). Returns the seqs of buckets meant as updates
    /// whose row was gone, and so were written as rows of their own (with this batch's calls only).
    @discardableResult
    func write(_ db: Database) throws -> Set<Int64> {
        let upsertToken = try db.cachedStatement(
            sql: "INSERT INTO tokens (id, seq, fingerprint, label, source, first_at) VALUES (?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, label = excluded.label")
        for token in tokens {
            let entry = token.entry
            try upsertToken.execute(arguments: [
                entry.id, token.seq, entry.fingerprint, entry.label, SourceCode.code(entry.source), entry.firstSeen,
            ])
        }
        let insertErrorSet = try db.cachedStatement(sql: "INSERT INTO error_sets (id, json) VALUES (?, ?)")
        for set in errorSets { try insertErrorSet.execute(arguments: [set.id, set.json]) }
        let insertName = try db.cachedStatement(sql: "INSERT INTO names (id, text) VALUES (?, ?)")
        for name in names { try insertName.execute(arguments: [name.id, name.text]) }
        let insertCall = try db.cachedStatement(
            sql: """
                INSERT INTO calls (seq, at, token, method, path, status, transport, latency_ns, rate_limit,
                    rate_remaining, request_id, errors, source, response_truncated, request_body, request_body_cut, query,
                    job, route)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for call in calls {
            let record = call.record
            var transport: String?
            if case .transport(let failure) = record.outcome { transport = failure.rawValue }
            try insertCall.execute(arguments: [
                call.seq, record.time.timeIntervalSinceReferenceDate, call.token, record.method, record.path,
                record.outcome.status, transport, record.latency.nanoseconds, record.rate.limit, record.rate.remaining,
                record.rate.requestID, call.errorSet, SourceCode.code(record.source), record.bodyTruncated,
                call.body?.bytes, call.body?.cut ?? false, call.query, call.job, call.route,
            ])
        }
        let reinserted = try writeBuckets(db)
        try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'last_seq'", arguments: [String(lastSeq)])
        return reinserted
    }

    private func writeBuckets(_ db: Database) throws -> Set<Int64> {
        var reinserted = Set<Int64>()
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO buckets (seq, start, token, method, status, source, count, latency_sum_us, latency_max_us,
                    figure_ms, rate_limit, rate_remaining, lowest_remaining, parts)
                VALUES (:seq, :start, :token, :method, :status, :source, :count, :sum, :max,
                    :figure, :limit, :remaining, :lowest, :parts)
                """)
        // Adds to the row written earlier, which takes the new seq and keeps the seq it was
        // first written with in `first_seq` (SQLite reads every right-hand side from the row
        // as it was); the newer figure wins.
        let addTo = try db.cachedStatement(
            sql: """
                UPDATE buckets SET first_seq = coalesce(first_seq, seq), seq = :seq, count = count + :count, latency_sum_us = latency_sum_us + :sum,
                    latency_max_us = max(latency_max_us, :max),
                    rate_limit = CASE WHEN :figure >= coalesce(figure_ms, -1) THEN :limit ELSE rate_limit END,
                    rate_remaining = CASE WHEN :figure >= coalesce(figure_ms, -1) THEN :remaining ELSE rate_remaining END,
                    figure_ms = CASE WHEN :figure >= coalesce(figure_ms, -1) THEN :figure ELSE figure_ms END,
                    lowest_remaining = min(coalesce(lowest_remaining, :lowest), coalesce(:lowest, lowest_remaining)),
                    parts = :merged
                WHERE seq = :old
                """)
        for bucket in buckets {
            let key = bucket.key
            let tally = bucket.tally
            let values: [String: (any DatabaseValueConvertible)?] = [
                "seq": bucket.seq, "start": key.start, "token": key.token, "method": key.method, "status": key.status,
                "source": SourceCode.code(key.source), "count": tally.count,
                "sum": tally.latencySumNanoseconds / 1_000, "max": tally.latencyMaxNanoseconds / 1_000,
                "figure": tally.figure?.offsetMilliseconds, "limit": tally.figure?.limit,
                "remaining": tally.figure?.remaining, "lowest": tally.lowestRemaining, "parts": tally.parts.encoded,
            ]
            if let old = bucket.replacing {
                let update = values.merging(["old": old, "merged": bucket.partsAfter.encoded]) { a, _ in a }
                try addTo.execute(arguments: StatementArguments(update))
                // Gone (retention, or a recreated file): the bucket is a row of its own again.
                if db.changesCount > 0 { continue }
                reinserted.insert(bucket.seq)
            }
            try insert.execute(arguments: StatementArguments(values))
        }
        return reinserted
    }
}

/// `CallSource` as stored: SQLite stores the integers 0 and 1 in no bytes at all.
enum SourceCode {
    static func code(_ source: CallSource) -> Int {
        switch source {
        case .probe: 0
        case .tap: 1
        }
    }

    static func source(_ code: Int?) -> CallSource { code == 0 ? .probe : .tap }
}

/// Rows back to ManagementAPI values. Queries join `tokens` as `token_fingerprint` and
/// `token_label`, and `error_sets` as `errors_json`.
struct RowDecoding {
    /// Decoded `errors` arrays by id: one hour of calls repeats a handful of sets.
    private var errorSets: [Int64: [ErrorEntry]] = [:]
    private let decoder = JSONDecoder()

    /// Every column of a call, its job and route by name (NULL in a file from before schema 3,
    /// which readers never migrate).
    static func callColumns(_ db: Database) throws -> String {
        let (names, joins) = try nameColumns(db, table: "c")
        return """
            c.*, t.fingerprint AS token_fingerprint, t.label AS token_label, e.json AS errors_json\(names)
            FROM calls c LEFT JOIN tokens t ON t.id = c.token LEFT JOIN error_sets e ON e.id = c.errors\(joins)
            """
    }

    /// The job and route names of table `alias`'s rows, where the file has them (schema 3).
    static func nameColumns(_ db: Database, table alias: String) throws -> (columns: String, joins: String) {
        guard try db.tableExists("names") else { return (", NULL AS job_name, NULL AS route_name", "") }
        return (", jn.text AS job_name, rn.text AS route_name",
                " LEFT JOIN names jn ON jn.id = \(alias).job LEFT JOIN names rn ON rn.id = \(alias).route")
    }
    /// `callColumns` with the request body left on disk (read as NULL): a stream or a listing
    /// that never sends bodies need not load up to 64 KiB a row.
    /// A journal of schema 1 no writer has migrated yet has no `query` column: read as NULL.
    static func callColumnsWithoutBody(_ db: Database) throws -> String {
        let query = try db.columns(in: "calls").contains { $0.name == "query" } ? "c.query" : "NULL AS query"
        let (names, joins) = try nameColumns(db, table: "c")
        return """
            c.seq, c.at, c.token, c.method, c.path, c.status, c.transport, c.latency_ns, c.rate_limit, c.rate_remaining,
            c.request_id, c.errors, c.source, c.response_truncated, NULL AS request_body, c.request_body_cut, \(query),
            length(c.request_body) AS request_body_size,
            t.fingerprint AS token_fingerprint, t.label AS token_label, e.json AS errors_json\(names)
            FROM calls c LEFT JOIN tokens t ON t.id = c.token LEFT JOIN error_sets e ON e.id = c.errors\(joins)
            """
    }

    /// A bucket's parts name their jobs and routes by id: read with `names(_:)`.
    static func bucketColumns(_ db: Database) throws -> String {
        let parts = try db.columns(in: "buckets").contains { $0.name == "parts" } ? "" : ", NULL AS parts"
        return """
            b.*, t.fingerprint AS token_fingerprint, t.label AS token_label\(parts)
            FROM buckets b LEFT JOIN tokens t ON t.id = b.token
            """
    }

    /// Every job and route name by id (a few hundred: the recorder caps them), for the parts of
    /// the buckets one read returns; none in a file from before schema 3.
    static func names(_ db: Database) throws -> [Int64: String] {
        guard try db.tableExists("names") else { return [:] }
        var names: [Int64: String] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT id, text FROM names")
        while let row = try rows.next() { names[row["id"]] = row["text"] }
        return names
    }

    /// A row whose token row is missing (never written by this code) still reads, as "?".
    static func token(_ row: Row) -> TokenReference {
        TokenReference(fingerprint: Fingerprint(hex: row["token_fingerprint"] ?? "?"), label: row["token_label"])
    }

    static func date(_ row: Row, _ column: String) -> Date {
        Date(timeIntervalSinceReferenceDate: row[column])
    }

    mutating func call(_ row: Row) throws -> JournaledCall {
        let outcome: CallOutcome
        if let status: Int = row["status"] {
            outcome = .status(status)
        } else {
            outcome = .transport(TransportFailure(rawValue: row["transport"] ?? "") ?? .other)
        }
        var errors: [ErrorEntry] = []
        if let id: Int64 = row["errors"] {
            if let known = errorSets[id] {
                errors = known
            } else {
                let text: String = row["errors_json"] ?? "[]"
                errors = try decoder.decode([ErrorEntry].self, from: Data(text.utf8))
                errorSets[id] = errors
            }
        }
        let record = CallRecord(
            time: Self.date(row, "at"), token: Self.token(row), method: row["method"], path: row["path"], outcome: outcome,
            latency: .nanoseconds(row["latency_ns"] as Int64),
            rate: RateHeaders(limit: row["rate_limit"], remaining: row["rate_remaining"], requestID: row["request_id"]),
            errors: errors, source: SourceCode.source(row["source"]), bodyTruncated: row["response_truncated"],
            job: row["job_name"], route: row["route_name"])
        let body = (row["request_body"] as Data?).map { RequestBody(bytes: $0, cut: row["request_body_cut"]) }
        // Read without its body, a call has the body's length from SQL instead.
        let size: Int? = body?.bytes.count ?? row["request_body_size"]
        return JournaledCall(
            seq: row["seq"], record: record, requestBody: body, requestBodySize: size,
            requestBodyCut: size == nil ? nil : row["request_body_cut"] as Bool, query: row["query"])
    }

    static func bucket(_ row: Row, names: [Int64: String]) -> CallBucket {
        let seq: Int64 = row["seq"]
        let start = Date(timeIntervalSinceReferenceDate: Double(row["start"] as Int64))
        let token = token(row)
        let figure = (row["figure_ms"] as Int?).map { offset in
            ServerFigure(
                seq: seq + 1, time: start.addingTimeInterval(Double(offset) / 1_000), token: token, limit: row["rate_limit"],
                remaining: row["rate_remaining"], lowestRemaining: row["lowest_remaining"])
        }
        return CallBucket(
            seq: seq, start: start, token: token, method: row["method"], status: row["status"],
            source: SourceCode.source(row["source"]), count: row["count"],
            latencySum: .microseconds(row["latency_sum_us"] as Int64),
            latencyMax: .microseconds(row["latency_max_us"] as Int64), figure: figure,
            firstSeq: row["first_seq"] ?? seq,
            parts: Self.parts(row["parts"], count: row["count"], names: names))
    }

    /// A row's parts, when they read and add up to its count; else none (its calls then count
    /// as `?` on `other`, as a bucket from before parts).
    static func parts(_ data: Data?, count: Int, names: [Int64: String]) -> [BucketPart] {
        guard let data, let parts = BucketParts.decode(data, names: names), parts.reduce(0, { $0 + $1.count }) == count else { return [] }
        return parts
    }

    static func seenToken(_ row: Row) -> SeenToken {
        SeenToken(
            seq: row["seq"], token: TokenReference(fingerprint: Fingerprint(hex: row["fingerprint"]), label: row["label"]),
            source: SourceCode.source(row["source"]), firstSeen: date(row, "first_at"))
    }
}

extension JournaledCall {
    /// The call's server figure, as its own event (`seq + 1`); nil when it carried none.
    var figure: ServerFigure? {
        let rate = record.rate
        guard rate.limit != nil || rate.remaining != nil else { return nil }
        return ServerFigure(
            seq: seq + 1, time: record.time, token: record.token, limit: rate.limit, remaining: rate.remaining,
            lowestRemaining: rate.remaining)
    }
}
