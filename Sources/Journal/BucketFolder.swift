import Foundation
import ManagementAPI

/// Folds successful calls into 10-second buckets in memory, so a burst of 2xx costs one row
/// per (window, token, method, status, source) instead of one per call.
struct BucketFolder {
    struct Key: Hashable, Sendable {
        /// Window start in seconds since the reference date; a multiple of 10 (the Unix and
        /// reference epochs differ by a multiple of 10, so windows align with wall clocks).
        let start: Double
        let fingerprint: String
        let method: String
        let status: Int
        let source: CallSource
    }

    struct Tally: Sendable {
        var label: String?
        var count = 0
        var latencySumNanoseconds: Int64 = 0
        var latencyMaxNanoseconds: Int64 = 0
    }

    private(set) var open: [Key: Tally] = [:]

    var callCount: Int { open.values.reduce(0) { $0 + $1.count } }

    mutating func fold(_ record: CallRecord, status: Int) {
        let at = record.time.timeIntervalSinceReferenceDate
        let key = Key(
            start: (at / CallBucket.width).rounded(.down) * CallBucket.width,
            fingerprint: record.token.fingerprint.hex, method: record.method, status: status,
            source: record.source)
        let latency = record.latency.nanoseconds
        open[key, default: Tally(label: record.token.label)].add(latency)
    }

    /// Removes and returns the buckets whose window has ended by `now`, or all of them.
    mutating func take(closedBy now: Date, all: Bool) -> [(Key, Tally)] {
        let cutoff = now.timeIntervalSinceReferenceDate
        let closed = open.filter { all || $0.key.start + CallBucket.width <= cutoff }
        for key in closed.keys { open[key] = nil }
        return closed.sorted { ($0.key.start, $0.key.fingerprint) < ($1.key.start, $1.key.fingerprint) }
    }

    mutating func removeAll() { open.removeAll() }
}

extension BucketFolder.Tally {
    mutating func add(_ latencyNanoseconds: Int64) {
        count += 1
        latencySumNanoseconds += latencyNanoseconds
        latencyMaxNanoseconds = max(latencyMaxNanoseconds, latencyNanoseconds)
    }
}

extension Duration {
    /// Whole nanoseconds: the journal's latency unit (sub-nanosecond parts are dropped).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
