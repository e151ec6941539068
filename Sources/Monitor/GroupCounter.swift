import Foundation

/// Exact counts of one group in 10-second buckets over the error window, independent of
/// which occurrences the ring still holds.
struct GroupCounter: Sendable {
    static let bucketSeconds: TimeInterval = 10

    private(set) var total = 0
    private var buckets: [Int64: Int] = [:]
    private var oldestKept: Int64 = .min

    mutating func add(time: TimeInterval, keepingAfter horizon: TimeInterval) {
        total += 1
        let index = Int64((time / Self.bucketSeconds).rounded(.down))
        let cutoff = Int64((horizon / Self.bucketSeconds).rounded(.down))
        guard index >= cutoff else { return }
        buckets[index, default: 0] += 1
        if cutoff > oldestKept {
            oldestKept = cutoff
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
