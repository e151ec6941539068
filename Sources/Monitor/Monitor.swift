import Foundation
import ManagementAPI
import Synchronization

/// The thread-safe monitor: collectors ingest from any task, views take snapshots.
public final class Monitor: Sendable {
    private let core: Mutex<MonitorCore>
    private let clock: any WallClock

    public init(configuration: MonitorConfiguration = MonitorConfiguration(), clock: any WallClock = SystemClock()) {
        core = Mutex(MonitorCore(configuration: configuration))
        self.clock = clock
    }

    public func register(_ reference: TokenReference) {
        core.withLock { $0.register(reference) }
    }

    public func ingest(_ record: CallRecord) {
        core.withLock { $0.ingest(record) }
    }

    public func ingest<S: Sequence<CallRecord>>(contentsOf records: S) {
        core.withLock { core in
            for record in records { core.ingest(record) }
        }
    }

    /// Records ingested so far: a snapshot is worth building again only when this moved
    /// (or the clock ticked).
    public var version: UInt64 { core.withLock { $0.ingested } }

    public func snapshot(filter: Filter = .empty) -> Snapshot {
        let now = clock.now()
        // Built under the lock: a copy taken out would make the next ingest copy the whole
        // ring (copy on write), and a build is a millisecond or two.
        return core.withLock { $0.snapshot(now: now, filter: filter) }
    }
}
