/// Latencies counted in fixed, log-scaled buckets: what the monitor, the journal's buckets,
/// the wire and `/metrics` all keep of a call's latency, so histograms from anywhere add up
/// bucket by bucket and a replay shows the same p50, p95 and p99 as the live window did
/// (DESIGN.md section 12).
public struct LatencyHistogram: Sendable, Hashable {
    /// Upper bounds of the buckets, in milliseconds, each about 1.5 times the last: from a
    /// loopback answer to the tap's 60 s upstream timeout; a last bucket holds what is slower.
    public static let boundsMilliseconds: [Double] = [
        1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000,
        7_500, 10_000, 15_000, 20_000, 30_000, 60_000,
    ]
    public static var bucketCount: Int { boundsMilliseconds.count + 1 }

    /// One count per bucket, `bucketCount` of them.
    public private(set) var counts: [UInt32]

    public init() { counts = Array(repeating: 0, count: Self.bucketCount) }

    /// Counts read back (a journal row, a wire line); nil unless there is one per bucket.
    public init?(counts: [UInt32]) {
        guard counts.count == Self.bucketCount else { return nil }
        self.counts = counts
    }

    public var total: Int { counts.reduce(0) { $0 + Int($1) } }
    public var isEmpty: Bool { counts.allSatisfy { $0 == 0 } }

    /// The bucket a latency falls in.
    public static func bucket(of latency: Duration) -> Int {
        let milliseconds = Double(latency.components.seconds) * 1_000 + Double(latency.components.attoseconds) / 1e15
        var low = 0
        var high = boundsMilliseconds.count
        while low < high {
            let middle = (low + high) / 2
            if boundsMilliseconds[middle] < milliseconds { low = middle + 1 } else { high = middle }
        }
        return low
    }

    public mutating func add(_ latency: Duration) {
        let index = Self.bucket(of: latency)
        if counts[index] < .max { counts[index] += 1 }
    }

    public mutating func add(bucket index: Int, count: UInt32 = 1) {
        guard counts.indices.contains(index) else { return }
        counts[index] = counts[index].addingReportingOverflow(count).overflow ? .max : counts[index] + count
    }

    public mutating func merge(_ other: LatencyHistogram) {
        for index in counts.indices where other.counts[index] > 0 { add(bucket: index, count: other.counts[index]) }
    }

    /// The latency below which `quantile` (0…1) of the calls fall, interpolated within its
    /// bucket as Prometheus' `histogram_quantile` does; nil with no calls. The slowest bucket
    /// has no upper bound, so a quantile there is its lower bound, 60 s.
    public func quantile(_ quantile: Double) -> Duration? {
        let total = total
        guard total > 0 else { return nil }
        let rank = max(0, min(1, quantile)) * Double(total)
        var below = 0.0
        for (index, count) in counts.enumerated() where count > 0 {
            let inBucket = Double(count)
            guard below + inBucket >= rank else {
                below += inBucket
                continue
            }
            let lower = index == 0 ? 0 : Self.boundsMilliseconds[index - 1]
            guard index < Self.boundsMilliseconds.count else { return .milliseconds(lower) }
            let upper = Self.boundsMilliseconds[index]
            let fraction = inBucket > 0 ? (rank - below) / inBucket : 1
            return .microseconds(Int(((lower + (upper - lower) * fraction) * 1_000).rounded()))
        }
        return .milliseconds(Self.boundsMilliseconds.last ?? 0)
    }

    /// A latency for call `index` (0-based, in latency order) of the histogram's calls: the
    /// middle of the bucket it falls in, so counting it again lands in the same bucket. Nil
    /// past the histogram's calls.
    public func representative(ofCall index: Int) -> Duration? {
        var below = 0
        for (bucket, count) in counts.enumerated() where count > 0 {
            below += Int(count)
            guard index < below else { continue }
            let lower = bucket == 0 ? 0 : Self.boundsMilliseconds[bucket - 1]
            let upper = bucket < Self.boundsMilliseconds.count ? Self.boundsMilliseconds[bucket] : lower * 1.5
            return .microseconds(Int(((lower + upper) / 2 * 1_000).rounded()))
        }
        return nil
    }

    /// The counts as bytes for the journal: a byte per bucket that counted anything, its
    /// distance from the previous one in the high nibble and its count (1 to 15) in the low
    /// one; a count past 15 is a 0 byte, the bucket's index and the count as a LEB128 varint.
    /// A bucket of ten calls over six latency buckets takes six bytes.
    public var packed: [UInt8] {
        var bytes: [UInt8] = []
        var previous = -1
        for (index, count) in counts.enumerated() where count > 0 {
            let distance = index - previous - 1
            previous = index
            if count <= 15, distance <= 15 {
                bytes.append(UInt8(distance << 4) | UInt8(count))
                continue
            }
            bytes.append(0)
            bytes.append(UInt8(index))
            var value = count
            while value >= 0x80 {
                bytes.append(UInt8(value & 0x7F) | 0x80)
                value >>= 7
            }
            bytes.append(UInt8(value))
        }
        return bytes
    }

    /// Reads `packed` back; nil for bytes it never writes (a bucket out of range or out of
    /// order, a varint cut short or past 32 bits), so a damaged row reads as no histogram.
    public init?(packed bytes: some Collection<UInt8>) {
        self.init()
        var iterator = bytes.makeIterator()
        var previous = -1
        while let byte = iterator.next() {
            let index: Int
            let count: UInt32
            if byte != 0 {
                index = previous + 1 + Int(byte >> 4)
                count = UInt32(byte & 0x0F)
                guard count > 0 else { return nil }
            } else {
                guard let stated = iterator.next() else { return nil }
                index = Int(stated)
                var value: UInt64 = 0
                var shift: UInt64 = 0
                while true {
                    guard let next = iterator.next(), shift <= 28 else { return nil }
                    value |= UInt64(next & 0x7F) << shift
                    if next & 0x80 == 0 { break }
                    shift += 7
                }
                guard value <= UInt64(UInt32.max) else { return nil }
                count = UInt32(value)
            }
            guard index > previous, index < Self.bucketCount else { return nil }
            previous = index
            add(bucket: index, count: count)
        }
    }

    /// The counts as a wire line writes them: `bucket:count` for each bucket that counted
    /// anything, comma-separated (`3:2,9:1`): one JSON string, not 29 numbers, per part.
    public var sparse: String {
        counts.enumerated().filter { $0.element > 0 }.map { "\($0.offset):\($0.element)" }.joined(separator: ",")
    }

    /// Reads `sparse` back; nil for text it never writes.
    public init?(sparse text: String) {
        self.init()
        guard !text.isEmpty else { return }
        for pair in text.split(separator: ",", omittingEmptySubsequences: false) {
            let sides = pair.split(separator: ":", omittingEmptySubsequences: false)
            guard sides.count == 2, let index = Int(sides[0]), (0..<Self.bucketCount).contains(index), counts[index] == 0,
                let count = UInt32(sides[1]), count > 0
            else { return nil }
            counts[index] = count
        }
    }
}
