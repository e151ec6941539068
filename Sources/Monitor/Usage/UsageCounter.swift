import Foundation
import ManagementAPI

/// One job's or one route's calls: per 10 seconds over the last minute (calls a minute), and
/// per minute over the error window (calls, 4xx, 5xx, 429s, transport failures, latencies),
/// each in a ring of fixed size, so adding a call hashes nothing and allocates nothing once
/// its minute has a histogram (DESIGN.md section 12).
struct UsageCounter: Sendable {
    struct Counts: Sendable, Equatable {
        var calls: Int32 = 0
        var clientErrors: Int32 = 0
        var serverErrors: Int32 = 0
        var limited: Int32 = 0
        var transport: Int32 = 0

        mutating func add(_ other: Counts) {
            calls &+= other.calls
            clientErrors &+= other.clientErrors
            serverErrors &+= other.serverErrors
            limited &+= other.limited
            transport &+= other.transport
        }

        init(calls: Int32 = 0) { self.calls = calls }

        init(_ outcome: CallOutcome) {
            calls = 1
            switch outcome {
            case .status(let status):
                if status == 429 { limited = 1 }
                if (400..<500).contains(status) { clientErrors = 1 }
                if (500..<600).contains(status) { serverErrors = 1 }
            case .transport:
                transport = 1
            }
        }
    }

    /// Ring sizes for a monitor's windows: the slots a window can overlap, plus one.
    struct Shape: Sendable, Equatable {
        let recentSlots: Int
        let minuteSlots: Int

        init(window: TimeInterval, errorWindow: TimeInterval) {
            recentSlots = Int((window / UsageCounter.recentSeconds).rounded(.up)) + 2
            minuteSlots = Int((errorWindow / UsageCounter.minuteSeconds).rounded(.up)) + 2
        }
    }

    static let recentSeconds: TimeInterval = 10
    static let minuteSeconds: TimeInterval = 60

    private var recent: [Counts]
    private var recentIndex: [Int64]
    private var minutes: [Counts]
    private var minuteIndex: [Int64]
    private var latencies: [LatencyHistogram?]
    private(set) var lastCall: TimeInterval = -.infinity

    init(_ shape: Shape) {
        recent = Array(repeating: Counts(), count: shape.recentSlots)
        recentIndex = Array(repeating: .min, count: shape.recentSlots)
        minutes = Array(repeating: Counts(), count: shape.minuteSlots)
        minuteIndex = Array(repeating: .min, count: shape.minuteSlots)
        latencies = Array(repeating: nil, count: shape.minuteSlots)
    }

    /// Counts a call. One older than its ring (a clock stepped back an hour) counts nowhere:
    /// no window that reads the ring reaches back that far.
    /// `counts` are the call's (`Counts(outcome)`), `bucket` its latency's: worked out once for
    /// the job's counter and the route's.
    mutating func add(_ counts: Counts, latencyBucket bucket: Int, time: TimeInterval) {
        // A garbled time (infinite, or past any Int64 of slots) counts nowhere rather than trap.
        guard time.isFinite, abs(time) < 1e15 else { return }
        let slot = Int64((time / Self.recentSeconds).rounded(.down))
        if let index = Self.place(slot, in: &recentIndex) {
            if recentIndex[index] != slot {
                recentIndex[index] = slot
                recent[index] = Counts()
            }
            recent[index].add(counts)
        }
        let minute = Int64((time / Self.minuteSeconds).rounded(.down))
        if let index = Self.place(minute, in: &minuteIndex) {
            if minuteIndex[index] != minute {
                minuteIndex[index] = minute
                minutes[index] = Counts()
                latencies[index] = nil
            }
            minutes[index].add(counts)
            if latencies[index] == nil { latencies[index] = LatencyHistogram() }
            latencies[index]!.add(bucket: bucket)
        }
        lastCall = max(lastCall, time)
    }

    /// Where `slot` goes in a ring: its own place, unless a newer slot holds it.
    private static func place(_ slot: Int64, in index: inout [Int64]) -> Int? {
        let position = Int(slot.remainderReportingOverflow(dividingBy: Int64(index.count)).partialValue)
        let place = position < 0 ? position + index.count : position
        return index[place] > slot ? nil : place
    }

    /// Calls of the 10-second slots that overlap (now − window, now].
    func recentCalls(now: TimeInterval, window: TimeInterval) -> Int {
        let first = Int64(((now - window) / Self.recentSeconds).rounded(.down)) + 1
        let last = Int64((now / Self.recentSeconds).rounded(.down))
        var sum = 0
        for (index, slot) in recentIndex.enumerated() where slot >= first && slot <= last { sum += Int(recent[index].calls) }
        return sum
    }

    /// Counts and latencies of the minutes that overlap (now − window, now].
    func minutes(now: TimeInterval, window: TimeInterval) -> (counts: Counts, latencies: LatencyHistogram) {
        let first = Int64(((now - window) / Self.minuteSeconds).rounded(.down)) + 1
        let last = Int64((now / Self.minuteSeconds).rounded(.down))
        var counts = Counts()
        var histogram = LatencyHistogram()
        for (index, minute) in minuteIndex.enumerated() where minute >= first && minute <= last {
            counts.add(minutes[index])
            if let latencies = latencies[index] { histogram.merge(latencies) }
        }
        return (counts, histogram)
    }
}
