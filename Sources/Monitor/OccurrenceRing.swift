import Foundation

/// What a scan needs to know of a retained occurrence, as plain numbers. Kept in an array
/// beside the occurrences, so a scan of 100 000 reads 2.4 MB of numbers and touches an
/// occurrence only when it is listed or a filter term must read its record.
struct OccurrenceIndex: Sendable {
    let time: TimeInterval
    let tokenSlot: Int32
    let slot: Int32
    /// A 400 that also counts under other field codes.
    let hasExtraSlots: Bool
}

/// The retained errors, oldest leaving first, bounded twice: by count (`capacity`) and by
/// estimated bytes (`byteBudget`), so that long answers cannot grow memory past the budget.
/// A circular buffer; positions are stable until an occurrence leaves.
struct OccurrenceRing: Sendable {
    let capacity: Int
    let byteBudget: Int
    /// nil once its occurrence left, so the memory goes with it.
    private var occurrences: [Occurrence?] = []
    private var index: [OccurrenceIndex] = []
    private var sizes: [Int] = []
    /// The oldest retained position, and how many are retained from there.
    private var head = 0
    private(set) var count = 0
    private(set) var bytes = 0

    init(capacity: Int, byteBudget: Int = .max) {
        self.capacity = max(1, capacity)
        self.byteBudget = max(1, byteBudget)
        occurrences.reserveCapacity(min(self.capacity, 4_096))
        index.reserveCapacity(min(self.capacity, 4_096))
        sizes.reserveCapacity(min(self.capacity, 4_096))
    }

    /// Appends; returns how many of the oldest occurrences left to make room.
    @discardableResult
    mutating func append(_ occurrence: Occurrence) -> Int {
        let size = occurrence.estimatedBytes
        var evicted = 0
        while count > 0, count == capacity || bytes + size > byteBudget {
            removeOldest()
            evicted += 1
        }
        let entry = OccurrenceIndex(time: occurrence.record.time.timeIntervalSince1970,
                                    tokenSlot: Int32(clamping: occurrence.tokenSlot), slot: Int32(clamping: occurrence.slot),
                                    hasExtraSlots: !occurrence.extraSlots.isEmpty)
        let position = (head + count) % capacity
        // Storage grows to capacity only as needed; until it wraps, new positions are at its end.
        if position == occurrences.count {
            occurrences.append(occurrence)
            index.append(entry)
            sizes.append(size)
        } else {
            occurrences[position] = occurrence
            index[position] = entry
            sizes[position] = size
        }
        count += 1
        bytes += size
        return evicted
    }

    private mutating func removeOldest() {
        bytes -= sizes[head]
        occurrences[head] = nil
        head = (head + 1) % capacity
        count -= 1
    }

    subscript(position: Int) -> Occurrence { occurrences[position]! }

    /// Index entries with their positions, newest first, until `body` returns false.
    func scanNewestFirst(_ body: (_ entry: OccurrenceIndex, _ position: Int) throws -> Bool) rethrows {
        guard count > 0 else { return }
        var position = (head + count - 1) % capacity
        let capacity = capacity
        try index.withUnsafeBufferPointer { entries in
            for _ in 0..<count {
                guard try body(entries[position], position) else { return }
                position = position == 0 ? capacity - 1 : position - 1
            }
        }
    }
}
