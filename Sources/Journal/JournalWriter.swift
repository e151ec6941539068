import Foundation
import ManagementAPI
import Synchronization

/// The journal's one writer. `append` only queues (the tap calls it on its answer path, so it
/// never blocks on disk); a background task writes batches, one transaction per batch, every
/// `batchInterval` or `batchSize` records, whichever comes first.
///
/// Call `close()` before dropping a writer: its loop holds it until then.
public final class JournalWriter: Sendable {
    public struct Options: Sendable {
        /// Records waiting beyond this are dropped (and counted), so a stalled disk cannot grow memory.
        public var queueCapacity = 100_000
        /// Request bodies waiting beyond this many bytes are dropped with their records: 100 000
        /// bodies of 64 KiB would otherwise be 6 GiB behind a stalled disk.
        public var queueBodyBytes = 64 << 20
        public var batchSize = 1_000
        /// Short, so a call reaches the viewers about 50 ms after it was answered (issue 13's
        /// ≤ 100 ms); under load batches fill up to `batchSize` first anyway.
        public var batchInterval: Duration = .milliseconds(50)
        /// Distinct tokens without a label that get rows of their own; the calls of any further
        /// ones are recorded under one "other" token (see `TokenDirectory`).
        public var tokenCap = TokenDirectory.defaultCap
        /// Wall clock for dating health changes (dropping since, recreated at).
        public var now: @Sendable () -> Date = { Date() }

        public init() {}
    }

    private struct Queue {
        var entries = FirstInFirstOut<JournalEntry>()
        var bodyBytes = 0
        var flushWaiters: [CheckedContinuation<Void, Never>] = []
        var closing = false
    }

    public let path: String
    private let options: Options
    private let lock: WriterLock
    let store: JournalStore
    private let queue = Mutex(Queue())
    private let wake = WakeSignal()
    /// Rung after every batch that reached the disk.
    public let commits = CommitSignal()
    /// Rung when `health` changes (dropping, writing again, recreated, records lost): a watcher
    /// waits on it instead of looking every quarter of a second while nothing happens.
    public let healthChanges = CommitSignal()
    /// Whether a drop at the queue was signalled since the last batch committed.
    private let queueDropsSignalled = Atomic<Bool>(false)
    private let healthState = Mutex(JournalHealth())
    private let loop = Mutex<Task<Void, Never>?>(nil)

    /// Takes the journal's lock, then opens (or creates and migrates) the file.
    public init(path: String, options: Options = Options()) throws(JournalError) {
        self.path = path
        self.options = options
        try JournalFile.createFolderIfMissing(path: path)
        let lock = try WriterLock(journalPath: path)
        do {
            store = try JournalStore(path: path, tokenCap: options.tokenCap)
        } catch {
            lock.release()
            throw error
        }
        self.lock = lock
        let task = Task.detached { [self] in await runLoop() }
        loop.withLock { $0 = task }
    }

    /// Queues a record (and, for a tap call, its request body, kept only if the call was not
    /// 2xx and cut at 64 KiB). Returns at once; false when the queue was full and it was dropped.
    @discardableResult
    public func append(_ record: CallRecord, requestBody: Data? = nil, query: String? = nil) -> Bool {
        let entry = JournalEntry(record: record, body: requestBody, query: query)
        let (accepted, batchReady) = queue.withLock { queue -> (Bool, Bool) in
            guard !queue.closing, queue.entries.count < options.queueCapacity,
                  queue.bodyBytes + entry.bodyBytes <= options.queueBodyBytes else { return (false, false) }
            queue.entries.append(entry)
            queue.bodyBytes += entry.bodyBytes
            // The first record wakes an idle loop (which then lets a batch gather); a full
            // batch wakes it at once.
            return (true, queue.entries.count == 1 || queue.entries.count == options.batchSize)
        }
        if batchReady { wake.signal() }
        if !accepted {
            // Said once per run of drops (until a batch commits): ringing at every drop would
            // have the health watch spin while the queue is full, when the cores are needed most.
            healthState.withLock { health in
                health.droppedRecords += 1
                health.droppedAtQueue += 1
            }
            if !queueDropsSignalled.exchange(true, ordering: .relaxed) { healthChanges.committed() }
        }
        return accepted
    }

    /// Writes everything queued so far, open buckets included, and returns once it is on disk
    /// (or has failed and been counted in `health`).
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let running = queue.withLock { queue -> Bool in
                guard loop.withLock({ $0 != nil }) else { return false }
                queue.flushWaiters.append(continuation)
                return true
            }
            if running { wake.signal() } else { continuation.resume() }
        }
    }

    /// Flushes, stops the background task, closes the file and releases the lock.
    public func close() async {
        // Taken out at once so a second close() returns instead of releasing the lock twice; a
        // flush() that saw the loop running queued its waiter before `closing`, so it is answered.
        guard let task = loop.withLock({ task in defer { task = nil }; return task }) else { return }
        queue.withLock { $0.closing = true }
        wake.signal()
        await task.value
        await store.close()
        lock.release()
    }

    public var health: JournalHealth { healthState.withLock { $0 } }

    /// Records appended and not yet taken by a batch: a producer faster than the disk (the
    /// benchmarks' simulated week) paces itself on this instead of having records dropped.
    public var queuedRecords: Int { queue.withLock { $0.entries.count } }

    /// When the oldest record still waiting in the queue was answered (its time plus its
    /// latency, which is about when it was appended); nil when none waits. Its age is how
    /// far the journal trails the traffic (`/healthz`'s lag).
    public var oldestQueuedAnswer: Date? {
        queue.withLock { queue in
            queue.entries.first.map { entry in
                let latency = entry.record.latency.components
                return entry.record.time.addingTimeInterval(Double(latency.seconds) + Double(latency.attoseconds) / 1e18)
            }
        }
    }

    /// Bytes on disk: the file and its write-ahead log.
    public var fileSize: Int64 { JournalFile.size(path: path) }

    /// Deletes calls, buckets and figures older than `cutoff`, never the newest hour (the recorder runs it hourly).
    @discardableResult
    public func prune(olderThan cutoff: Date) async throws -> RetentionResult {
        try await store.prune(olderThan: cutoff, now: options.now())
    }

    /// Drops the oldest whole days until the journal fits in `maxBytes`, then shrinks the file.
    @discardableResult
    public func enforce(maxBytes: Int64) async throws -> RetentionResult {
        try await store.enforce(maxBytes: maxBytes, now: options.now())
    }

    private func runLoop() async {
        // Nothing is queued yet: a batch starts with the first record (and gathers), a flush
        // or a close, never with the loop's own start racing the first appends.
        await idle()
        while true {
            let (entries, waiters, closing, more, stopping) = queue.withLock { queue in
                let taken = queue.entries.takeFirst(options.batchSize)
                queue.bodyBytes -= taken.reduce(0) { $0 + $1.bodyBytes }
                // Flush waiters are answered only with the batch that empties the queue, so
                // everything appended before `flush()` is written when it returns.
                let drained = queue.entries.isEmpty
                let waiters = drained ? queue.flushWaiters : []
                if drained { queue.flushWaiters.removeAll() }
                return (taken, waiters, queue.closing && drained, !drained, queue.closing)
            }
            let outcome = await store.write(entries, stopping: stopping)
            record(outcome)
            if outcome.committed { commits.committed() }
            for waiter in waiters { waiter.resume() }
            if closing { return }
            if !more { await idle() }
        }
    }

    /// With nothing queued, sleeps until something is (no timer fires while the recorder is
    /// idle), then lets a batch gather for `batchInterval` unless it is wanted at once (a
    /// full batch, a flush, a close).
    private func idle() async {
        // A signal may be stale (a flush that the batch just written answered): nothing to
        // do yet, so back to sleep.
        repeat {
            await wake.wait()
        } while queue.withLock { $0.entries.isEmpty && $0.flushWaiters.isEmpty && !$0.closing }
        let wantedNow = queue.withLock { queue in
            queue.entries.count >= options.batchSize || !queue.flushWaiters.isEmpty || queue.closing
        }
        if !wantedNow { await wake.wait(timeout: options.batchInterval) }
    }

    private func record(_ outcome: JournalStore.Outcome) {
        let now = options.now()
        let changed = healthState.withLock { health -> Bool in
            let before = health
            if outcome.recreated { health.recreatedAt = now }
            if let failure = outcome.failure {
                if health.droppingSince == nil { health.droppingSince = now }
                health.reason = failure
                health.droppedRecords += outcome.droppedRecords
            } else if outcome.committed {
                health.droppingSince = nil
                health.reason = nil
            }
            return health != before
        }
        if outcome.committed { queueDropsSignalled.store(false, ordering: .relaxed) }
        if changed { healthChanges.committed() }
    }
}
