import Foundation
import ManagementAPI

/// A bucket's calls by job and route (`names` ids), each with its latency histogram: what the
/// journal keeps of who made a window's successes, inside the window's one row (a row per
/// job and route took a week of 20 tokens with three jobs each and ten routes to 476 MiB;
/// this takes a few bytes a part). Stored as `buckets.parts`: per part the job id, the route
/// id and the count as LEB128 varints, then the histogram's length and `LatencyHistogram.packed`.
struct BucketParts: Sendable, Equatable {
    struct Key: Hashable, Sendable, Comparable {
        let job: Int64
        let route: Int64

        static func < (a: Key, b: Key) -> Bool { (a.job, a.route) < (b.job, b.route) }
    }

    struct Part: Sendable, Equatable {
        var count = 0
        var latencies = LatencyHistogram()
    }

    private(set) var parts: [Key: Part] = [:]

    var isEmpty: Bool { parts.isEmpty }

    mutating func add(job: Int64, route: Int64, latency: Duration) {
        let key = Key(job: job, route: route)
        parts[key, default: Part()].count += 1
        parts[key]!.latencies.add(latency)
    }

    mutating func merge(_ other: BucketParts) {
        for (key, part) in other.parts {
            parts[key, default: Part()].count += part.count
            parts[key]!.latencies.merge(part.latencies)
        }
    }

    var encoded: Data {
        var bytes: [UInt8] = []
        for key in parts.keys.sorted() {
            let part = parts[key]!
            let histogram = part.latencies.packed
            // Ids as their bit patterns: a file's ids are its own (a negative one reads back the same).
            for value in [UInt64(bitPattern: key.job), UInt64(bitPattern: key.route), UInt64(part.count), UInt64(histogram.count)] {
                Self.append(value, to: &bytes)
            }
            bytes += histogram
        }
        return Data(bytes)
    }

    /// The parts of a row, named; nil for bytes the writer never writes (cut short, a varint
    /// past 64 bits, a histogram that does not read), so a damaged row reads as a bucket
    /// without parts rather than with wrong ones. A name the table lacks reads as `?`/`other`.
    static func decode(_ data: Data, names: [Int64: String]) -> [BucketPart]? {
        let bytes = [UInt8](data)
        var offset = 0
        var parts: [BucketPart] = []
        while offset < bytes.count {
            guard let job = read(bytes, &offset), let route = read(bytes, &offset), let count = read(bytes, &offset),
                let length = read(bytes, &offset), count <= UInt64(Int32.max), length <= UInt64(bytes.count - offset),
                let latencies = LatencyHistogram(packed: bytes[offset..<(offset + Int(length))])
            else { return nil }
            offset += Int(length)
            parts.append(BucketPart(
                job: names[Int64(truncatingIfNeeded: job)] ?? JobName.unknown,
                route: names[Int64(truncatingIfNeeded: route)] ?? APIRoute.other, count: Int(count),
                latencies: latencies.total == Int(count) ? latencies : nil))
        }
        return BucketPart.ordered(parts)
    }

    /// The job and route ids `data` refers to, added to `ids` (what retention must keep).
    static func ids(in data: Data, into ids: inout Set<Int64>) {
        let bytes = [UInt8](data)
        var offset = 0
        while offset < bytes.count {
            guard let job = read(bytes, &offset), let route = read(bytes, &offset), read(bytes, &offset) != nil,
                let length = read(bytes, &offset), length <= UInt64(bytes.count - offset)
            else { return }
            ids.insert(Int64(truncatingIfNeeded: job))
            ids.insert(Int64(truncatingIfNeeded: route))
            offset += Int(length)
        }
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private static func read(_ bytes: [UInt8], _ offset: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
