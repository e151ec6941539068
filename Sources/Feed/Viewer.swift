import AsyncHTTPClient
import Foundation
import Journal
import ManagementAPI
import Monitor
import Synchronization

/// A viewer of one or more recorders (DESIGN.md section 9): it loads the last hour of each,
/// follows each one's `/v1/events` from where that read stood, and never probes. The live
/// monitor is what the dashboard shows; the timeline behind it is what time travel replays.
///
/// Each source runs on its own: one that is down is retried with backoff and shows as
/// unreachable, while what it sent stays on screen and the others carry on.
public final class Viewer: Sendable {
    /// One recorder to follow.
    public struct Source: Sendable {
        /// `host:port` of its admin server, as the header names it.
        public let name: String
        public let client: RecorderClient
        /// Its journal file, when it is on this machine: history is read from the file
        /// (faster than through the admin server); the live feed still comes over HTTP.
        public let journal: JournalReader?
        /// `@host` for every source after the first (see `SourceLabel`).
        public let suffix: String?

        public init(name: String, client: RecorderClient, journal: JournalReader? = nil, suffix: String? = nil) {
            self.name = name
            self.client = client
            self.journal = journal
            self.suffix = suffix
        }
    }

    /// What a window holds when it opens: the last hour, as a live dashboard open for an hour.
    public static let attachSpan = JournalReader.defaultRebuildSpan
    /// What it keeps as it runs on: a viewer open for days holds six hours (plus, while in the
    /// past, what the moment on screen needs).
    public static let heldSpan: TimeInterval = 6 * 3_600
    /// What the viewer holds of history, and what one read of it may hold on its way in: a
    /// source that streams without end costs older history, never this viewer's memory.
    let budget: HistoryBudget
    /// A source's clock may run this far ahead before its times are pulled back to this one's.
    static let clockSlack: TimeInterval = 5

    /// Where each source is now (`move` points one elsewhere), and its live stream, under one
    /// lock so a move can never miss the stream it must end.
    private struct Following: Sendable {
        var sources: [Source]
        var streams: [Int: Task<Void, Never>] = [:]
    }

    public let monitor: Monitor
    private let following: Mutex<Following>
    private let configuration: MonitorConfiguration
    private let registered: [TokenReference]
    private let clock: any WallClock
    private let inner: Mutex<ViewerState>
    /// Reads for time travel, so they stop with the viewer; each leaves when it is done.
    private let fetches: Mutex<[UInt64: Task<Void, Never>]> = Mutex([:])
    private let fetchIDs = Atomic<UInt64>(0)
    /// Waits between attempts on a source that is down, the last one repeated.
    let backoff: [Duration]

    /// `registered`: the configured tokens, shown (idle) before anything is seen, also in the past.
    public convenience init(sources: [Source], registered: [TokenReference] = [], configuration: MonitorConfiguration = MonitorConfiguration(),
                clock: any WallClock = SystemClock(), backoff: [Duration] = EventFollower.defaultBackoff)
    {
        self.init(sources: sources, registered: registered, configuration: configuration, clock: clock, backoff: backoff, budget: .viewer)
    }

    init(sources: [Source], registered: [TokenReference], configuration: MonitorConfiguration, clock: any WallClock,
         backoff: [Duration], budget: HistoryBudget)
    {
        self.budget = budget
        self.backoff = backoff.isEmpty ? EventFollower.defaultBackoff : backoff
        following = Mutex(Following(sources: sources))
        self.registered = registered
        self.configuration = configuration
        self.clock = clock
        monitor = Monitor(configuration: configuration, clock: clock)
        registered.forEach(monitor.register)
        inner = Mutex(ViewerState(
            lines: sources.map { SourceLine(name: $0.name, condition: .connecting, historySince: nil) }, budget: budget))
    }

    /// The sources as they are now (`move` may have pointed one elsewhere).
    public var sources: [Source] { following.withLock { $0.sources } }

    /// Follows every source until cancelled.
    public func run() async {
        let count = sources.count
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for index in 0..<count {
                    group.addTask { await self.follow(index) }
                }
            }
        } onCancel: {
            for task in fetches.withLock({ $0.values }) { task.cancel() }
        }
    }

    /// Follows source `index` at `source` from now on, from the last event it delivered: the
    /// same journal served by another recorder (a window that took it over) resumes with no
    /// gap and no duplicate.
    public func move(_ index: Int, to source: Source) {
        let stream = following.withLock { following in
            following.sources[index] = source
            return following.streams[index]
        }
        inner.withLock { $0.renamed(index, to: source.name) }
        stream?.cancel()
    }

    /// Moves when a source's line changes (the header).
    public var version: UInt64 { inner.withLock { $0.linesVersion } }
    /// Moves when the history held changes: a replay built before it is stale.
    public var historyVersion: UInt64 { inner.withLock { $0.historyVersion } }

    public func lines() -> [SourceLine] { inner.withLock { $0.lines } }

    /// Calls and buckets held, time travel's reads included (what memory the viewer holds).
    public var heldRows: Int { inner.withLock { $0.heldRows } }

    /// The screen at `moment`, from what is held; starts reading history when the hour before
    /// `moment` reaches past it (the result says so, and `historyVersion` moves when it lands).
    public func replay(at asked: Date, filter: Filter) -> Replay {
        let now = clock.now()
        let names = sources.map(\.name)
        let plan = inner.withLock { $0.plan(asked: min(asked, now), names: names, span: Self.attachSpan) }
        for fetch in plan.fetches {
            let id = fetchIDs.add(1, ordering: .relaxed).newValue
            // Registered before it can finish, so its own removal never comes first.
            fetches.withLock { tasks in
                tasks[id] = Task {
                    await self.read(fetch)
                    _ = self.fetches.withLock { $0.removeValue(forKey: id) }
                }
            }
        }
        let core: MonitorCore
        if let cached = plan.cached {
            core = cached
        } else {
            var built = MonitorCore(configuration: configuration)
            registered.forEach { built.register($0) }
            for record in CallBucket.replayRecords(failed: plan.failed, buckets: plan.buckets) { built.ingest(record) }
            core = built
            inner.withLock { $0.cache = ViewerState.Cache(moment: plan.moment, version: plan.version, core: built) }
        }
        return Replay(snapshot: core.snapshot(now: plan.moment, filter: filter), moment: plan.moment, note: plan.note,
                      complete: plan.fetches.isEmpty && !plan.waiting)
    }

    /// Back to live: what travelling held may be forgotten.
    public func returnedLive() {
        inner.withLock { $0.returnedLive() }
    }

    // MARK: one source

    private func follow(_ index: Int) async {
        let label = SourceLabel(suffix: sources[index].suffix)
        var failures = 0
        var lastSeq: Int64?
        while lastSeq == nil, !Task.isCancelled {
            let source = sources[index]
            do {
                // The highest seq first, then the range: what is written in between comes
                // both ways, and the timeline keeps it once.
                let health = try await source.client.health()
                let now = clock.now()
                let from = now.addingTimeInterval(-Self.attachSpan)
                let read = try await history(of: source, from: from, to: now.addingTimeInterval(86_400))
                let added = inner.withLock { state in
                    state.loaded(index, read: read, from: from, oldest: health.oldest, label: label,
                                 now: now.addingTimeInterval(Self.clockSlack))
                }
                // Expanded outside the lock: 70 000 records must not hold up the screen's reads.
                monitor.ingest(contentsOf: CallBucket.replayRecords(failed: added.calls, buckets: added.buckets))
                lastSeq = health.lastSeq
            } catch {
                let failure = error as? RecorderClient.Failure
                let reason = failure?.description ?? "\(error)"
                inner.withLock { $0.down(index, unreadable: failure?.unreadable ?? true, reason: reason, now: clock.now()) }
                try? await Task.sleep(for: backoff[min(failures, backoff.count - 1)])
                failures += 1
            }
        }
        guard var after = lastSeq else { return }
        while !Task.isCancelled {
            let resumeAfter = after
            let stream = following.withLock { following in
                let source = following.sources[index]
                let task = Task { await self.stream(index, from: source, after: resumeAfter, label: label) }
                following.streams[index] = task
                return task
            }
            await withTaskCancellationHandler { await stream.value } onCancel: { stream.cancel() }
            // Moved (or stopping): carry on from the last event delivered.
            after = inner.withLock { $0.lastSeq(index) } ?? after
        }
    }

    /// The live feed of one source until cancelled.
    private func stream(_ index: Int, from source: Source, after lastSeq: Int64, label: SourceLabel) async {
        var follower = EventFollower(base: source.client.base, httpClient: source.client.httpClient)
        follower.backoff = backoff
        follower.now = { [clock] in clock.now() }
        await follower.run(after: lastSeq, deliver: { event in
            let now = self.clock.now().addingTimeInterval(Self.clockSlack)
            let records = self.inner.withLock { $0.arrived(index, event: event, label: label, now: now, held: Self.heldSpan) }
            if !records.isEmpty { self.monitor.ingest(contentsOf: records) }
        }, state: { condition in
            guard !Task.isCancelled else { return }
            self.inner.withLock { $0.condition(index, condition) }
        })
    }

    /// The calls and buckets of a range, oldest first: from the journal file when it is here,
    /// else from the recorder's `/v1/calls`; page by page either way, held within the budget.
    private func history(of source: Source, from: Date, to: Date) async throws -> HistoryCollector {
        var collector = HistoryCollector(budget: budget)
        if let journal = source.journal {
            var range = RangeReader(reader: journal, from: from, to: to, bodies: false)
            while let event = try await range.next(), collector.keep(event) {}
        } else {
            do {
                try await source.client.calls(from: from, to: to) { event in
                    guard collector.keep(event) else { throw HistoryCollector.Enough() }
                }
            } catch is HistoryCollector.Enough {
                // Stopped at its most rows: what it read stands, and the replay says so.
            }
        }
        return collector
    }

    private func read(_ fetch: ViewerState.Fetch) async {
        let source = sources[fetch.source]
        do {
            let read = try await history(of: source, from: fetch.from, to: fetch.to)
            let now = clock.now().addingTimeInterval(Self.clockSlack)
            inner.withLock { $0.fetched(fetch, read: read, label: SourceLabel(suffix: source.suffix), now: now) }
        } catch {
            let reason = (error as? RecorderClient.Failure)?.description ?? "\(error)"
            inner.withLock { $0.fetchFailed(fetch, reason: reason) }
        }
    }
}
