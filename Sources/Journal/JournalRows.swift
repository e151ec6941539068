import Foundation
import GRDB
import ManagementAPI

/// What one transaction writes: rows with their sequence numbers already given.
struct PreparedBatch: Sendable {
    struct Call: Sendable {
        let seq: Int64
        let record: CallRecord
        let body: RequestBody?
    }
    struct Figure: Sendable {
        let seq: Int64
        let record: CallRecord
    }
    struct Token: Sendable {
        let seq: Int64
        let record: CallRecord
    }
    struct Bucket: Sendable {
        let seq: Int64
        let key: BucketFolder.Key
        let tally: BucketFolder.Tally
    }

    var tokens: [Token] = []
    var calls: [Call] = []
    var figures: [Figure] = []
    var buckets: [Bucket] = []
    var lastSeq: Int64 = 0

    var isEmpty: Bool { tokens.isEmpty && calls.isEmpty && figures.isEmpty && buckets.isEmpty }

    /// Writes every row inside the caller's transaction, with cached statements (100 000
    /// records must not parse SQL 100 000 times).
    func write(_ db: Database) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let insertToken = try db.cachedStatement(
            sql: "INSERT INTO tokens (seq, fingerprint, label, source, first_at) VALUES (?, ?, ?, ?, ?) "
                + "ON CONFLICT (fingerprint) DO NOTHING")
        for token in tokens {
            let record = token.record
            try insertToken.execute(arguments: [
                token.seq, record.token.fingerprint.hex, record.token.label, record.source.rawValue,
                record.time.timeIntervalSinceReferenceDate,
            ])
        }
        let insertCall = try db.cachedStatement(
            sql: """
                INSERT INTO calls (seq, at, fingerprint, label, method, path, status, transport, latency_ns,
                    rate_limit, rate_remaining, request_id, errors, source, response_truncated,
                    request_body, request_body_cut)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for call in calls {
            let record = call.record
            var transport: String?
            if case .transport(let failure) = record.outcome { transport = failure.rawValue }
            let errors = String(decoding: try encoder.encode(record.errors), as: UTF8.self)
            try insertCall.execute(arguments: [
                call.seq, record.time.timeIntervalSinceReferenceDate, record.token.fingerprint.hex,
                record.token.label, record.method, record.path, record.outcome.status, transport,
                record.latency.nanoseconds, record.rate.limit, record.rate.remaining, record.rate.requestID,
                errors, record.source.rawValue, record.bodyTruncated, call.body?.bytes, call.body?.cut ?? false,
            ])
        }
        let insertFigure = try db.cachedStatement(
            sql: "INSERT INTO figures (seq, at, fingerprint, label, rate_limit, rate_remaining) VALUES (?, ?, ?, ?, ?, ?)")
        for figure in figures {
            let record = figure.record
            try insertFigure.execute(arguments: [
                figure.seq, record.time.timeIntervalSinceReferenceDate, record.token.fingerprint.hex,
                record.token.label, record.rate.limit, record.rate.remaining,
            ])
        }
        // A bucket flushed early (by flush()) and written again adds up, and takes the newer seq.
        let upsertBucket = try db.cachedStatement(
            sql: """
                INSERT INTO buckets (seq, start, fingerprint, label, method, status, source, count,
                    latency_sum_ns, latency_max_ns)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (start, fingerprint, method, status, source) DO UPDATE SET
                    seq = excluded.seq, count = count + excluded.count,
                    latency_sum_ns = latency_sum_ns + excluded.latency_sum_ns,
                    latency_max_ns = max(latency_max_ns, excluded.latency_max_ns)
                """)
        for bucket in buckets {
            let key = bucket.key
            let tally = bucket.tally
            try upsertBucket.execute(arguments: [
                bucket.seq, key.start, key.fingerprint, tally.label, key.method, key.status, key.source.rawValue,
                tally.count, tally.latencySumNanoseconds, tally.latencyMaxNanoseconds,
            ])
        }
        try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'last_seq'", arguments: [String(lastSeq)])
    }
}

/// Rows back to ManagementAPI values.
enum RowDecoding {
    static func token(_ row: Row) -> TokenReference {
        TokenReference(fingerprint: Fingerprint(hex: row["fingerprint"]), label: row["label"])
    }

    static func date(_ row: Row, _ column: String) -> Date {
        Date(timeIntervalSinceReferenceDate: row[column])
    }

    static func call(_ row: Row) throws -> JournaledCall {
        let outcome: CallOutcome
        if let status: Int = row["status"] {
            outcome = .status(status)
        } else {
            outcome = .transport(TransportFailure(rawValue: row["transport"] ?? "") ?? .other)
        }
        let errorsText: String = row["errors"]
        let errors = try JSONDecoder().decode([ErrorEntry].self, from: Data(errorsText.utf8))
        let record = CallRecord(
            time: date(row, "at"), token: token(row), method: row["method"], path: row["path"], outcome: outcome,
            latency: .nanoseconds(row["latency_ns"] as Int64),
            rate: RateHeaders(limit: row["rate_limit"], remaining: row["rate_remaining"], requestID: row["request_id"]),
            errors: errors, source: CallSource(rawValue: row["source"]) ?? .tap,
            bodyTruncated: row["response_truncated"])
        let body = (row["request_body"] as Data?).map { RequestBody(bytes: $0, cut: row["request_body_cut"]) }
        return JournaledCall(seq: row["seq"], record: record, requestBody: body)
    }

    static func bucket(_ row: Row) -> CallBucket {
        CallBucket(
            seq: row["seq"], start: date(row, "start"), token: token(row), method: row["method"],
            status: row["status"], source: CallSource(rawValue: row["source"]) ?? .tap, count: row["count"],
            latencySum: .nanoseconds(row["latency_sum_ns"] as Int64),
            latencyMax: .nanoseconds(row["latency_max_ns"] as Int64))
    }

    static func figure(_ row: Row) -> ServerFigure {
        ServerFigure(
            seq: row["seq"], time: date(row, "at"), token: token(row), limit: row["rate_limit"],
            remaining: row["rate_remaining"])
    }

    static func seenToken(_ row: Row) -> SeenToken {
        SeenToken(
            seq: row["seq"], token: token(row), source: CallSource(rawValue: row["source"]) ?? .tap,
            firstSeen: date(row, "first_at"))
    }
}
