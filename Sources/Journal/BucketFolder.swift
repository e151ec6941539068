import Foundation
import ManagementAPI

/// Folds the successful calls of one batch into 10-second buckets, so a burst of 2xx costs
/// one row per (window, token, method, status, source) instead of one per call; later
/// batches add to that row (see `JournalStore`). Each bucket also keeps
/// the newest server figure of its calls and the lowest remaining any of them reported: that
/// is all the journal keeps of a successful call's jw-request-* headers (see `CallBucket`).
struct BucketFolder {
    struct Key: Hashable, Sendable {
        /// Window start in whole seconds since the reference date; a multiple of 10 (the Unix
        /// and reference epochs differ by a multiple of 10, so windows align with wall clocks).
        let start: Int64
        let token: Int64
        let method: String
        let status: Int
        let source: CallSource
    }

    /// The newest figure seen in a bucket: milliseconds after the window's start, and what it said.
    struct Figure: Sendable, Equatable {
        var offsetMilliseconds: Int
        var limit: Int?
        var remaining: Int?
    }

    struct Tally: Sendable {
        var count = 0
        var latencySumNanoseconds: Int64 = 0
        var latencyMaxNanoseconds: Int64 = 0
        /// Exact time of `figure`, so a later record of the same millisecond still replaces it.
        var figureTime: Double = -.infinity
        var figure: Figure?
        var lowestRemaining: Int?
        /// Its calls by job and route (`names` ids), with their latencies.
        var parts = BucketParts()
    }

    private(set) var open: [Key: Tally] = [:]

    static func windowStart(_ time: Date) -> Int64 {
        Int64((time.timeIntervalSinceReferenceDate / CallBucket.width).rounded(.down)) * Int64(CallBucket.width)
    }

    /// Adds a call; `keepFigure` is false for the shared "other" token, whose calls come from
    /// many tokens, so no one figure speaks for it.
    mutating func fold(_ record: CallRecord, token: Int64, job: Int64, route: Int64, status: Int, keepFigure: Bool) {
        let start = Self.windowStart(record.time)
        let key = Key(start: start, token: token, method: record.method, status: status, source: record.source)
        open[key, default: Tally()].add(record, windowStart: start, keepFigure: keepFigure)
        open[key]!.parts.add(job: job, route: route, latency: record.latency)
    }

    /// Removes and returns every tally, oldest window first: the writer adds each batch's
    /// tallies to the bucket rows, so a window still open is on disk within a batch.
    mutating func takeAll() -> [(Key, Tally)] {
        defer { open.removeAll(keepingCapacity: true) }
        return open.sorted { ($0.key.start, $0.key.token) < ($1.key.start, $1.key.token) }
    }
}

extension BucketFolder.Tally {
    mutating func add(_ record: CallRecord, windowStart: Int64, keepFigure: Bool) {
        let latency = record.latency.nanoseconds
        count += 1
        latencySumNanoseconds += latency
        latencyMaxNanoseconds = max(latencyMaxNanoseconds, latency)
        let rate = record.rate
        guard keepFigure, rate.limit != nil || rate.remaining != nil else { return }
        let time = record.time.timeIntervalSinceReferenceDate
        if let remaining = rate.remaining { lowestRemaining = min(lowestRemaining ?? remaining, remaining) }
        // Ties go to the later append: the record that arrived last is the server's latest word.
        guard time >= figureTime else { return }
        figureTime = time
        let offset = Int(((time - Double(windowStart)) * 1_000).rounded(.down))
        figure = BucketFolder.Figure(
            offsetMilliseconds: min(max(offset, 0), Int(CallBucket.width * 1_000) - 1), limit: rate.limit,
            remaining: rate.remaining)
    }
}

extension Duration {
    /// Whole nanoseconds: the journal's latency unit for calls (sub-nanosecond parts are dropped).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
