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

/// The retained errors: a fixed-capacity ring where appending past capacity overwrites the
/// oldest. Positions are stable until the ring wraps onto them.
struct OccurrenceRing: Sendable {
    let capacity: Int
    private var occurrences: [Occurrence] = []
    private var index: [OccurrenceIndex] = []
    /// Where the next occurrence goes once the ring is full.
    private var head = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        occurrences.reserveCapacity(min(self.capacity, 4_096))
        index.reserveCapacity(min(self.capacity, 4_096))
    }

    var count: Int { occurrences.count }

    /// Appends; true when the oldest occurrence was overwritten to make room.
    @discardableResult
    mutating func append(_ occurrence: Occurrence) -> Bool {
        let entry = OccurrenceIndex(time: occurrence.record.time.timeIntervalSince1970,
                                    tokenSlot: Int32(clamping: occurrence.tokenSlot), slot: Int32(clamping: occurrence.slot),
                                    hasExtraSlots: !occurrence.extraSlots.isEmpty)
        if occurrences.count < capacity {
            occurrences.append(occurrence)
            index.append(entry)
            return false
        }
        occurrences[head] = occurrence
        index[head] = entry
        head = (head + 1) % capacity
        return true
    }

    subscript(position: Int) -> Occurrence { occurrences[position] }

    /// Index entries with their positions, newest first, until `body` returns false.
    func scanNewestFirst(_ body: (_ entry: OccurrenceIndex, _ position: Int) throws -> Bool) rethrows {
        guard !index.isEmpty else { return }
        var position = index.count < capacity ? index.count - 1 : (head - 1 + capacity) % capacity
        try index.withUnsafeBufferPointer { entries in
            for _ in 0..<entries.count {
                guard try body(entries[position], position) else { return }
                position = position == 0 ? entries.count - 1 : position - 1
            }
        }
    }
}
