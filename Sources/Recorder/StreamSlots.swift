import Synchronization

/// At most `limit` `/v1/events` streams at once: each holds a buffer of events, so their
/// number bounds the recorder's memory as much as the buffer's size does. A slot goes back
/// when its `Slot` is released, whichever way the stream ended (finished, dropped, or never
/// started because the client left first).
final class StreamSlots: Sendable {
    final class Slot: Sendable {
        private let slots: StreamSlots
        init(_ slots: StreamSlots) { self.slots = slots }
        deinit { slots.release() }
    }

    let limit: Int
    private let used = Mutex(0)

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// A slot, or nil when all are taken.
    func take() -> Slot? {
        let taken = used.withLock { used -> Bool in
            guard used < limit else { return false }
            used += 1
            return true
        }
        return taken ? Slot(self) : nil
    }

    private func release() { used.withLock { $0 -= 1 } }
}
