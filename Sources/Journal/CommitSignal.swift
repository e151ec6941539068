import Synchronization

/// Tells every waiter that the writer committed a batch: the SSE feeds wait on it instead of
/// polling, so an event leaves for the viewers as soon as its row is on disk.
public final class CommitSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Commits so far. Read it before reading the journal, then `wait(past:)` it, and a commit
    /// in between is never missed.
    public var generation: UInt64 { state.withLock { $0.generation } }

    func committed() {
        let waiters = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once a commit after `generation` happened, or after `timeout`.
    public func wait(past generation: UInt64, timeout: Duration) async {
        await waiting(upTo: timeout) { await self.waitForCommit(past: generation) }
    }

    private func waitForCommit(past generation: UInt64) async {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.generation != generation || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
