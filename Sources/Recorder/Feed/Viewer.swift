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
    /// What it keeps as it runs on: a viewer open for days holds six hours (plus whatever time
    /// travel fetched further back, until it returns to live).
    public static let heldSpan: TimeInterval = 6 * 3_600

    public let monitor: Monitor
    /// Where each source is now: `move` points one elsewhere (a window taking a journal over).
    private let current: Mutex<[Source]>
    /// Each source's live stream, so `move` can end it and start the next.
    private let streams = Mutex<[Int: Task<Void, Never>]>([:])
    private let configuration: MonitorConfiguration
    private let registered: [TokenReference]
    private let clock: any WallClock
    private let inner: Mutex<ViewerState>
    /// Waits between attempts on a source that is down, the last one repeated.
    let backoff: [Duration]

    /// `registered`: the configured tokens, shown (idle) before anything is seen, also in the past.
    public init(sources: [Source], registered: [TokenReference] = [], configuration: MonitorConfiguration = MonitorConfiguration(),
                clock: any WallClock = SystemClock(), backoff: [Duration] = EventFollower.defaultBackoff)
    {
        self.backoff = backoff.isEmpty ? EventFollower.defaultBackoff : backoff
        current = Mutex(sources)
        self.registered = registered
        self.configuration = configuration
        self.clock = clock
        monitor = Monitor(configuration: configuration, clock: clock)
        registered.forEach(monitor.register)
        inner = Mutex(ViewerState(lines: sources.map { SourceLine(name: $0.name, condition: .connecting, historySince: nil) }))
    }

    /// The sources as they are now (`move` may have pointed one elsewhere).
    public var sources: [Source] { current.withLock { $0 } }

    /// Follows every source until cancelled.
    public func run() async {
        let count = sources.count
        await withDiscardingTaskGroup { group in
            for index in 0..<count {
                group.addTask { await self.follow(index) }
            }
        }
    }

    /// Follows source `index` at `source` from now on, from the last event it delivered: the
    /// same journal served by another recorder (a window that took it over) resumes with no
    /// gap and no duplicate.
    public func move(_ index: Int, to source: Source) {
        current.withLock { $0[index] = source }
        inner.withLock { $0.renamed(index, to: source.name) }
        streams.withLock { $0[index] }?.cancel()
    }

    /// Moves whenever a source's line or the history held changes.
    public var version: UInt64 { inner.withLock { $0.version } }

    public func lines() -> [SourceLine] { inner.withLock { $0.lines } }

    /// The screen at `moment`, from what is held; starts fetching older history when the hour
    /// before `moment` reaches past it (the result says so, and `version` moves when it lands).
    public func replay(at asked: Date, filter: Filter) -> Replay {
        let now = clock.now()
        let plan = inner.withLock { state in
            state.plan(asked: min(asked, now), names: sources.map(\.name), span: Self.attachSpan)
        }
        for fetch in plan.fetches {
            Task { await self.fetchOlder(fetch) }
        }
        let core: MonitorCore
        if let cached = plan.cached {
            core = cached
        } else {
            var built = MonitorCore(configuration: configuration)
            registered.forEach { built.register($0) }
            for record in plan.records { built.ingest(record) }
            core = built
            inner.withLock { $0.cache = ViewerState.Cache(moment: plan.moment, version: plan.version, core: built) }
        }
        return Replay(snapshot: core.snapshot(now: plan.moment, filter: filter), moment: plan.moment, note: plan.note,
                      complete: plan.fetches.isEmpty && !plan.waiting)
    }

    // MARK: one source

    private func follow(_ index: Int) async {
        let label = SourceLabel(suffix: sources[index].suffix)
        var failures = 0
        var lastSeq: Int64?
        while lastSeq == nil, !Task.isCancelled {
            let source = sources[index]
            do {
                let health = try await source.client.health()
                let now = clock.now()
                let from = now.addingTimeInterval(-Self.attachSpan)
                let events = try await history(of: source, from: from, to: now.addingTimeInterval(86_400))
                let records = inner.withLock { state in
                    state.loaded(index, events: events, from: from, oldest: health.oldest, label: label)
                }
                monitor.ingest(contentsOf: records)
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
            let source = sources[index]
            let resumeAfter = after
            let stream = Task { await self.stream(index, from: source, after: resumeAfter, label: label) }
            streams.withLock { $0[index] = stream }
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
            let now = self.clock.now()
            let records = self.inner.withLock { $0.arrived(index, event: event, label: label, now: now, held: Self.heldSpan) }
            if !records.isEmpty { self.monitor.ingest(contentsOf: records) }
        }, state: { condition in
            guard !Task.isCancelled else { return }
            self.inner.withLock { $0.condition(index, condition) }
        })
    }

    /// The calls and buckets of a range: from the journal file when it is here, else from
    /// the recorder's `/v1/calls`.
    private func history(of source: Source, from: Date, to: Date) async throws -> [JournalEvent] {
        var events: [JournalEvent] = []
        if let journal = source.journal {
            var range = RangeReader(reader: journal, from: from, to: to, bodies: false)
            while let event = try await range.next() { events.append(event) }
        } else {
            try await source.client.calls(from: from, to: to) { events.append($0) }
        }
        return events
    }

    private func fetchOlder(_ fetch: ViewerState.Fetch) async {
        let source = sources[fetch.source]
        do {
            let events = try await history(of: source, from: fetch.from, to: fetch.to)
            inner.withLock { $0.older(fetch, events: events, label: SourceLabel(suffix: source.suffix)) }
        } catch {
            let reason = (error as? RecorderClient.Failure)?.description ?? "\(error)"
            inner.withLock { $0.olderFailed(fetch, reason: reason) }
        }
    }
}
