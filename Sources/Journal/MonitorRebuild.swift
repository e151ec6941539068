import Foundation
import GRDB
import ManagementAPI

extension JournalReader {
    /// What a dashboard that had watched since `from` would have ingested by `moment`, oldest
    /// first (the rules are `rebuildMonitor`'s, in Feed): failed calls in (`from`, `moment`],
    /// and the calls of the buckets whose window starts at or after `from` and has ended by
    /// `moment`.
    public func records(after from: Date, upTo moment: Date) throws -> [CallRecord] {
        let bounds = [from.timeIntervalSinceReferenceDate, moment.timeIntervalSinceReferenceDate]
        let (failed, buckets) = try read { db in
            var decoding = RowDecoding()
            let failed = try Row.fetchAll(
                db, sql: "SELECT \(try RowDecoding.callColumns(db)) WHERE c.at > ? AND c.at <= ? ORDER BY c.at, c.seq",
                arguments: StatementArguments(bounds)
            ).map { try decoding.call($0).record }
            let names = try RowDecoding.names(db)
            let buckets = try Row.fetchAll(
                db, sql: "SELECT \(try RowDecoding.bucketColumns(db)) WHERE b.start >= ? AND b.start <= ? ORDER BY b.start, b.seq",
                arguments: [bounds[0], moment.timeIntervalSinceReferenceDate - CallBucket.width]
            ).map { RowDecoding.bucket($0, names: names) }
            return (failed, buckets)
        }
        return CallBucket.replayRecords(failed: failed, buckets: buckets)
    }
}

extension CallBucket {
    /// The calls a monitor ingests to stand where a dashboard stood: the failed calls as they
    /// are, each bucket as its `expanded()` calls, oldest first. The "other" token's calls
    /// (tokens past the cap) lose their figures: many tokens' figures under one row would speak
    /// for none of them. A viewer's time travel uses this on what it holds, as a rebuild does
    /// on the journal.
    public static func replayRecords(failed: [CallRecord], buckets: [CallBucket]) -> [CallRecord] {
        let other = TokenReference.other.fingerprint
        var records = failed.map { record in
            record.token.fingerprint == other ? record.withoutFigure : record
        }
        records.reserveCapacity(failed.count + buckets.reduce(0) { $0 + $1.count })
        for bucket in buckets { records += bucket.expanded() }
        // Sorted by index on plain times: moving 70 000 records (a struct of strings and
        // arrays) about the sort costs several times what comparing their times does.
        let times = records.map(\.time.timeIntervalSinceReferenceDate)
        let order = times.indices.sorted { (times[$0], $0) < (times[$1], $1) }
        return order.map { records[$0] }
    }
}

extension CallRecord {
    public var withoutFigure: CallRecord {
        CallRecord(
            time: time, token: token, method: method, path: path, outcome: outcome, latency: latency,
            rate: RateHeaders(limit: nil, remaining: nil, requestID: rate.requestID), errors: errors, source: source,
            bodyTruncated: bodyTruncated, job: job, route: route)
    }
}
