import Foundation

/// Per-10-second buckets for the last hour: the sparklines' data.
struct History: Sendable {
    static let bucketSeconds: TimeInterval = 10
    static let bucketCount = 360

    struct Bucket: Sendable, Equatable {
        var index: Int64 = .min
        var calls = 0
        var errors = 0
    }

    private var buckets = [Bucket](repeating: Bucket(), count: bucketCount)

    static func index(of time: TimeInterval) -> Int64 { Int64((time / bucketSeconds).rounded(.down)) }

    mutating func add(time: TimeInterval, failed: Bool) {
        let index = Self.index(of: time)
        let slot = Int(((index % Int64(Self.bucketCount)) + Int64(Self.bucketCount)) % Int64(Self.bucketCount))
        if buckets[slot].index != index {
            // A bucket from an hour ago (or a record older than the slot's contents) resets it.
            guard buckets[slot].index < index else { return }
            buckets[slot] = Bucket(index: index)
        }
        buckets[slot].calls += 1
        if failed { buckets[slot].errors += 1 }
    }

    /// Calls per bucket for the `count` buckets ending with the one holding `now`, oldest first.
    func calls(endingAt now: TimeInterval, count: Int) -> [Int] {
        let last = Self.index(of: now)
        return (0..<min(count, Self.bucketCount)).reversed().map { back in
            let index = last - Int64(back)
            let slot = Int(((index % Int64(Self.bucketCount)) + Int64(Self.bucketCount)) % Int64(Self.bucketCount))
            return buckets[slot].index == index ? buckets[slot].calls : 0
        }
    }
}
