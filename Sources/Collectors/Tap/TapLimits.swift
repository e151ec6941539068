import Synchronization

/// What all of one tap's job connections share and must stay within: how many are open, and
/// how many request body bytes they hold. Counted where it happens (accept, each body part),
/// released when a connection closes or a call's body is let go.
final class TapLimits: Sendable {
    let maxConnections: Int
    let maxBufferedBytes: Int
    private let connections = Atomic<Int>(0)
    private let bufferedBytes = Atomic<Int>(0)

    init(maxConnections: Int, maxBufferedBytes: Int) {
        self.maxConnections = maxConnections
        self.maxBufferedBytes = maxBufferedBytes
    }

    /// Takes a connection's place; false when the tap is full (nothing taken).
    func open() -> Bool {
        let now = connections.add(1, ordering: .relaxed).newValue
        guard now > maxConnections else { return true }
        connections.subtract(1, ordering: .relaxed)
        return false
    }

    func closed() { connections.subtract(1, ordering: .relaxed) }

    /// Reserves `bytes` of body; false when that would pass the budget (nothing reserved).
    func reserve(_ bytes: Int) -> Bool {
        let now = bufferedBytes.add(bytes, ordering: .relaxed).newValue
        guard now > maxBufferedBytes else { return true }
        bufferedBytes.subtract(bytes, ordering: .relaxed)
        return false
    }

    func release(_ bytes: Int) {
        if bytes > 0 { bufferedBytes.subtract(bytes, ordering: .relaxed) }
    }

    var openConnections: Int { connections.load(ordering: .relaxed) }
    var buffered: Int { bufferedBytes.load(ordering: .relaxed) }
}
