import Foundation

/// Exact counts of one group in 10-second buckets over the error window, independent of
/// which occurrences the ring still holds.
struct GroupCounter: Sendable {
    static let bucketSeconds: TimeInterval = 10
    /// Past this many buckets (hours of calls from before the horizon) those go anyway.
    static let maxBuckets = 2_048

    private(set) var total = 0
    private var buckets: [Int64: Int] = [:]
    private var oldestKept: Int64 = .min

    /// Counts a call. A call older than the horizon (from a clock that stepped back, or
    /// simply late) is still counted: whether it is in the window is for the reader's `now`
    /// to say, and dropping it here lost it for good. Buckets before the horizon go when
    /// the horizon moves on.
    mutating func add(time: TimeInterval, keepingAfter horizon: TimeInterval) {
        total += 1
        let index = Int64((time / Self.bucketSeconds).rounded(.down))
        let cutoff = Int64((horizon / Self.bucketSeconds).rounded(.down))
        buckets[index, default: 0] += 1
        if cutoff > oldestKept || buckets.count > Self.maxBuckets {
            oldestKept = max(oldestKept, cutoff)
            if buckets.count > 1 { buckets = buckets.filter { $0.key >= cutoff } }
        }
    }

    /// Calls in the buckets that overlap (now − window, now]: exact to the 10-second bucket.
    func count(now: TimeInterval, window: TimeInterval) -> Int {
        let first = Int64(((now - window) / Self.bucketSeconds).rounded(.down)) + 1
        var sum = 0
        for (index, value) in buckets where index >= first { sum += value }
        return sum
    }
}
