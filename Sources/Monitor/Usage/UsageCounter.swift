import Foundation
import ManagementAPI

/// One job's or one route's calls over the error window: counts per 10 seconds (calls, 4xx,
/// 5xx, 429s, transport failures) and latencies per minute, so the Jobs and Routes views read
/// calls in the last minute, errors and percentiles without keeping a single call.
struct UsageCounter: Sendable {
    struct Counts: Sendable, Equatable {
        var calls: Int32 = 0
        var clientErrors: Int32 = 0
        var serverErrors: Int32 = 0
        var limited: Int32 = 0
        var transport: Int32 = 0

        mutating func add(_ other: Counts) {
            calls += other.calls
            clientErrors += other.clientErrors
            serverErrors += other.serverErrors
            limited += other.limited
            transport += other.transport
        }
    }

    static let countSeconds: TimeInterval = 10
    static let latencySeconds: TimeInterval = 60

    private var counts: [Int64: Counts] = [:]
    private var latencies: [Int64: LatencyHistogram] = [:]
    private(set) var lastCall: TimeInterval = -.infinity
    private var oldestKept: Int64 = .min

    /// Counts a call; slots before `horizon` go when the horizon moves on (a call older than
    /// it still counts until then: whether it is in a window is for the reader's `now`).
    mutating func add(_ record: CallRecord, time: TimeInterval, keepingAfter horizon: TimeInterval) {
        let slot = Int64((time / Self.countSeconds).rounded(.down))
        var added = Counts(calls: 1)
        switch record.outcome {
        case .status(let status):
            if status == 429 { added.limited = 1 }
            if (400..<500).contains(status) { added.clientErrors = 1 }
            if (500..<600).contains(status) { added.serverErrors = 1 }
        case .transport:
            added.transport = 1
        }
        counts[slot, default: Counts()].add(added)
        latencies[Int64((time / Self.latencySeconds).rounded(.down)), default: LatencyHistogram()].add(record.latency)
        lastCall = max(lastCall, time)
        let cutoff = Int64((horizon / Self.countSeconds).rounded(.down))
        if cutoff > oldestKept {
            oldestKept = cutoff
            counts = counts.filter { $0.key >= cutoff }
            let minuteCutoff = Int64((horizon / Self.latencySeconds).rounded(.down))
            latencies = latencies.filter { $0.key >= minuteCutoff }
        }
    }

    /// Counts of the 10-second slots that overlap (now − window, now].
    func counts(now: TimeInterval, window: TimeInterval) -> Counts {
        let first = Int64(((now - window) / Self.countSeconds).rounded(.down)) + 1
        let last = Int64((now / Self.countSeconds).rounded(.down))
        var sum = Counts()
        for (slot, value) in counts where slot >= first && slot <= last { sum.add(value) }
        return sum
    }

    /// Latencies of the minutes that overlap (now − window, now].
    func latencies(now: TimeInterval, window: TimeInterval) -> LatencyHistogram {
        let first = Int64(((now - window) / Self.latencySeconds).rounded(.down)) + 1
        let last = Int64((now / Self.latencySeconds).rounded(.down))
        var sum = LatencyHistogram()
        for (minute, histogram) in latencies where minute >= first && minute <= last { sum.merge(histogram) }
        return sum
    }
}
