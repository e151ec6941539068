/// A fixed-capacity ring: appending past capacity overwrites the oldest element.
struct Ring<Element: Sendable>: Sendable {
    let capacity: Int
    private var storage: [Element] = []
    /// Where the next element goes once the ring is full.
    private var head = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(min(self.capacity, 4_096))
    }

    var count: Int { storage.count }

    /// Appends, returning the element that was overwritten, if any.
    @discardableResult
    mutating func append(_ element: Element) -> Element? {
        if storage.count < capacity {
            storage.append(element)
            return nil
        }
        let evicted = storage[head]
        storage[head] = element
        head = (head + 1) % capacity
        return evicted
    }

    /// Newest first, until `body` returns false. Elements are lent from the buffer rather
    /// than copied: a copy retains every string of a record, which dominated filtering.
    func forEachNewestFirst(_ body: (borrowing Element) throws -> Bool) rethrows {
        guard !storage.isEmpty else { return }
        let newest = storage.count < capacity ? storage.count - 1 : (head - 1 + capacity) % capacity
        try storage.withUnsafeBufferPointer { buffer in
            var index = newest
            for _ in 0..<buffer.count {
                guard try body(buffer[index]) else { return }
                index = index == 0 ? buffer.count - 1 : index - 1
            }
        }
    }
}
