import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The side queue between the tap's answers and its sink. An answer only offers its call
/// here and goes on: the offer never waits, and when the queue is full (its call count or
/// the request bodies it holds) the call is dropped and counted. One task hands the calls
/// to the sink in arrival order, so a slow sink (a journal, a terminal) never holds an
/// answer back. Pass one to `Tap.application` to read `dropped`.
public final class TapCallQueue: Sendable {
    public static let defaultCapacity = 16_384
    public static let defaultMaxBodyBytes = 64 << 20

    private struct State {
        var pending = CircularBuffer<TappedCall>(initialCapacity: 64)
        var pendingBodyBytes = 0
        var dropped = 0
        var delivering = 0
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    /// Calls the queue holds at most.
    public let capacity: Int
    /// Request-body bytes the queued calls may hold together (a 16 MiB body each is allowed).
    public let maxBodyBytes: Int
    private let state = Mutex(State())

    public init(capacity: Int = TapCallQueue.defaultCapacity, maxBodyBytes: Int = TapCallQueue.defaultMaxBodyBytes) {
        self.capacity = max(1, capacity)
        self.maxBodyBytes = maxBodyBytes
    }

    /// Calls dropped because the queue was full, since the tap started.
    public var dropped: Int { state.withLock { $0.dropped } }

    /// Calls queued or being handed to the sink right now.
    public var backlog: Int { state.withLock { $0.pending.count + $0.delivering } }

    /// Queues a call for the sink, or counts it dropped. Never waits, and never wakes the
    /// delivery: the tap calls `wake()` after writing answers and at the end of each burst of
    /// reads, so the thread switch a wake costs stays off the job's answer. Returns whether the call was queued, and for a
    /// drop whether it is the first of a run (worth one log line).
    @discardableResult
    func offer(_ call: TappedCall) -> Offer {
        let bytes = call.heldBytes
        return state.withLock { state -> Offer in
            guard state.pending.count < capacity, state.pendingBodyBytes + bytes <= maxBodyBytes || state.pending.isEmpty else {
                state.dropped += 1
                return state.dropped == 1 ? .firstDrop : .dropped
            }
            state.pending.append(call)
            state.pendingBodyBytes += bytes
            return .queued
        }
    }

    /// Wakes the delivery if it waits and calls are queued.
    func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.pending.isEmpty else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    enum Offer: Equatable { case queued, dropped, firstDrop }

    /// Hands queued calls to `sink` until `finish()` and the queue is empty, calling
    /// `afterBatch` after each batch; on cancellation it hands over what is already queued
    /// and returns. After each batch it lets the next gather for `coalescing`: while calls
    /// come, its thread then runs at most once per `coalescing` instead of once per call, a
    /// thread that would otherwise compete with the answers' for the cores at every call. An
    /// idle queue waits without waking at all.
    func deliver(coalescing: Duration = .milliseconds(5), to sink: @Sendable (TappedCall) async -> Void,
                 afterBatch: @Sendable () -> Void = {}) async
    {
        while true {
            let batch = await next()
            guard let batch else { return }
            for call in batch { await sink(call.decoded()) }
            state.withLock { $0.delivering = 0 }
            afterBatch()
            if !state.withLock({ $0.finished }) { try? await Task.sleep(for: coalescing) }
        }
    }

    /// Lets `deliver` return once the queue is empty; calls offered later are still queued
    /// and handed over before it returns.
    func finish() {
        let waiter = state.withLock { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Everything queued, taken in one step; nil once finished and empty.
    private func next() async -> [TappedCall]? {
        while true {
            if let batch = take() { return batch.isEmpty ? nil : batch }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let ready = state.withLock { state in
                        if !state.pending.isEmpty || state.finished || Task.isCancelled { return true }
                        state.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                finish()
            }
        }
    }

    /// The queued calls (empty when finished with nothing left), or nil to wait for more.
    private func take() -> [TappedCall]? {
        state.withLock { state in
            if state.pending.isEmpty { return state.finished ? [] : nil }
            let batch = Array(state.pending)
            state.pending.removeAll(keepingCapacity: true)
            state.pendingBodyBytes = 0
            state.delivering = batch.count
            return batch
        }
    }
}

/// Runs the queue's delivery beside the tap's server. The application lists it before the
/// server, so a graceful shutdown reaches it only once the server has answered its last
/// call: every call is handed over before the tap stops.
struct TapCallDelivery: Service {
    let queue: TapCallQueue
    let sink: @Sendable (TappedCall) async -> Void
    let afterBatch: @Sendable () -> Void
    /// Calls still running once the server has stopped (their jobs left mid-call), and how
    /// long to wait for them: their records are handed over too.
    let inFlight: TapInFlight
    let settleLimit: Duration

    func run() async {
        await withGracefulShutdownHandler {
            await queue.deliver(to: sink, afterBatch: afterBatch)
        } onGracefulShutdown: { [queue, inFlight, settleLimit] in
            Task {
                await inFlight.settle(within: settleLimit)
                queue.finish()
            }
        }
    }
}
