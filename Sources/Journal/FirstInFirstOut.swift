/// A queue whose front is taken in batches at O(1) amortized cost per element. An array's
/// `removeFirst(n)` moves everything behind the batch: with 100 000 records waiting behind a
/// stalled disk, every batch of 1 000 moved the other 99 000, exactly when the writer was
/// already behind. Here the front only advances, and the storage is compacted once the taken
/// part is the larger half. Not swift-collections' `Deque`: the journal imports ManagementAPI
/// and GRDB only (DESIGN.md section 3), and this is all of a deque the writer needs.
public struct FirstInFirstOut<Element> {
    private var storage: [Element] = []
    private var head = 0

    public init() {}

    public var count: Int { storage.count - head }
    public var isEmpty: Bool { head == storage.count }
    public var first: Element? { isEmpty ? nil : storage[head] }

    public mutating func append(_ element: Element) { storage.append(element) }

    /// Takes up to `limit` elements from the front, in order.
    public mutating func takeFirst(_ limit: Int) -> [Element] {
        let end = min(head + limit, storage.count)
        let taken = Array(storage[head..<end])
        head = end
        if head == storage.count {
            storage.removeAll(keepingCapacity: storage.count <= 4_096)
            head = 0
        } else if head > storage.count / 2 {
            storage.removeSubrange(0..<head)
            head = 0
        }
        return taken
    }
}
