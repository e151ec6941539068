import Foundation
import Journal
import ManagementAPI
import Monitor

/// `Viewer`'s mutable part, changed only under its lock: the timeline, each source's line,
/// how far back each source's history is held, and the replay last built.
struct ViewerState: Sendable {
    struct Cache: Sendable {
        let moment: Date
        let version: UInt64
        let core: MonitorCore
    }

    /// History of one source to read: `from <= time < to`. Contiguous: it extends what is held
    /// back to `from`; else an excursion, a far jump held apart and replaced by the next one,
    /// so `b 2026-01-01` reads one hour, not everything in between.
    struct Fetch: Sendable, Hashable {
        let source: Int
        let from: Date
        let to: Date
        let contiguous: Bool
        /// Where the hour of the moment it was read for starts: a failed read speaks for that
        /// moment only, and is tried again for any other.
        let needed: Date
    }

    /// What a replay needs, taken under the lock; the calls are expanded and the monitor is
    /// built outside it.
    struct Plan {
        let moment: Date
        let note: String?
        let failed: [CallRecord]
        let buckets: [CallBucket]
        let cached: MonitorCore?
        let fetches: [Fetch]
        /// A source is still loading, or history is on its way.
        let waiting: Bool
        let version: UInt64
    }

    /// A far jump's hour of one source, held apart from the timeline.
    struct Excursion: Sendable {
        let from: Date
        let to: Date
        var timeline: Timeline
    }

    /// A contiguous read reaches back at most this far past what is held; further is an excursion.
    static let contiguousReach: TimeInterval = 6 * 3_600
    /// An excursion reads this much more on either side of the hour it needs.
    static let excursionMargin: TimeInterval = 1_800

    var timeline: Timeline
    private(set) var lines: [SourceLine]
    /// Rows that reads of history let go on their way in (the timeline counts its own), and
    /// the newest time among them.
    private var readsLeftOut = 0
    private var readsLeftOutUpTo: Date?
    /// Reads of history that stopped at their most rows, with that most.
    private var readsStopped: (count: Int, at: Int) = (0, 0)
    /// Per source: history is held from here on (nil until its first read landed).
    private var heldFrom: [Date?]
    /// Per source: its journal's first record.
    private var oldest: [Date?]
    /// Moves when a source's line changes (the header).
    private(set) var linesVersion: UInt64 = 0
    /// Moves when the history held changes (a replay built before is stale). Live events do
    /// not move it: the past on screen stays as it was.
    private(set) var historyVersion: UInt64 = 0
    private var fetching: Set<Int> = []
    private var excursions: [Int: Excursion] = [:]
    /// Per source: the last read that failed, for which moment's hour, and why.
    private var failed: [Int: (needed: Date, reason: String)] = [:]
    var cache: Cache?
    /// The moment last replayed, while in the past: what it needs is never forgotten.
    private var lastReplay: Date?
    private var lastForget: Date?
    /// Per source: the last event its live stream delivered, where a moved source resumes.
    private var lastSeqs: [Int: Int64] = [:]

    init(lines: [SourceLine], budget: HistoryBudget = .viewer) {
        timeline = Timeline(budget: budget)
        self.lines = lines
        heldFrom = Array(repeating: nil, count: lines.count)
        oldest = Array(repeating: nil, count: lines.count)
    }

    // MARK: events in

    /// The first read of a source: its last hour held, and returned (oldest first) for the
    /// live monitor.
    mutating func loaded(
        _ index: Int, read: HistoryCollector, from: Date, oldest first: Date?, label: SourceLabel, now: Date
    ) -> (calls: [CallRecord], buckets: [CallBucket]) {
        counted(read)
        let added = timeline.add(contentsOf: Array(read.events), source: index, label: label, latest: now)
        heldFrom[index] = min(heldFrom[index] ?? from, from)
        oldest[index] = first
        lines[index] = SourceLine(name: lines[index].name, condition: lines[index].condition, historySince: first)
        linesVersion += 1
        historyVersion += 1
        return added
    }

    /// One live event; returns what the live monitor should ingest: a new failed call, or the
    /// calls a bucket gained since the state held (an update carries its window's totals).
    mutating func arrived(_ index: Int, event: JournalEvent, label: SourceLabel, now: Date, held: TimeInterval) -> [CallRecord] {
        lastSeqs[index] = max(lastSeqs[index] ?? event.seq, event.seq)
        var records: [CallRecord] = []
        switch event {
        case .call(let call):
            let record = label.call(call.record).at(latest: now)
            if timeline.add(call: record, seq: call.seq, source: index) { records.append(record) }
        case .bucket(let bucket):
            let bucket = label.bucket(bucket).starting(notAfter: now)
            if let before = timeline.add(bucket: bucket, source: index), bucket.count > before {
                // An open window's calls are spread over all of it; none may land after now.
                records = (before..<bucket.count).map { bucket.call(at: $0).at(latest: now) }
            }
        case .figure, .token:
            break
        }
        if oldest[index] == nil, let first = records.first?.time {
            // The journal was empty when this viewer attached: its history starts here.
            oldest[index] = first
            lines[index] = SourceLine(name: lines[index].name, condition: lines[index].condition, historySince: first)
            linesVersion += 1
        }
        forgetIfDue(now: now, held: held)
        return records
    }

    func lastSeq(_ index: Int) -> Int64? { lastSeqs[index] }

    var heldRows: Int { timeline.count + excursions.values.reduce(0) { $0 + $1.timeline.count } }

    mutating func renamed(_ index: Int, to name: String) {
        lines[index] = SourceLine(name: name, condition: .connecting, historySince: lines[index].historySince)
        linesVersion += 1
    }

    mutating func condition(_ index: Int, _ condition: SourceLine.Condition) {
        guard lines[index].condition != condition else { return }
        lines[index] = SourceLine(name: lines[index].name, condition: condition, historySince: lines[index].historySince)
        linesVersion += 1
    }

    /// The first read failed; `since` stays that of the first failure in a row.
    mutating func down(_ index: Int, unreadable: Bool, reason: String, now: Date) {
        var since = now
        switch lines[index].condition {
        case .unreachable(let earlier, _), .unreadable(let earlier, _): since = earlier
        case .connecting, .live: break
        }
        condition(index, unreadable ? .unreadable(since: since, reason: reason) : .unreachable(since: since, reason: reason))
        // A replay waiting for this source's first read says now that it has sent nothing.
        if heldFrom[index] == nil { historyVersion += 1 }
    }

    // MARK: time travel

    mutating func plan(asked: Date, names: [String], span: TimeInterval) -> Plan {
        var moment = asked
        var notes: [String] = []
        if let first = oldest.compactMap({ $0 }).min(), moment < first {
            // Lands on the first record: its 10-second window, ended.
            moment = first.addingTimeInterval(CallBucket.width)
            notes.append("the journal starts at \(LocalTime.text(first)): this is its first record")
        }
        var fetches: [Fetch] = []
        var waiting = false
        let needed = moment.addingTimeInterval(-span)
        var excursionParts: [(failed: [CallRecord], buckets: [CallBucket])] = []
        for index in names.indices {
            guard let held = heldFrom[index] else {
                switch lines[index].condition {
                case .unreachable, .unreadable: notes.append("\(names[index]) has sent nothing yet")
                case .connecting, .live: waiting = true
                }
                continue
            }
            guard needed < held, let first = oldest[index], first < held else { continue }
            if let excursion = excursions[index], excursion.from <= needed, excursion.to > moment {
                excursionParts.append(excursion.timeline.records(after: needed, upTo: moment))
                continue
            }
            if fetching.contains(index) {
                waiting = true
                continue
            }
            if let failure = failed[index] {
                if failure.needed == needed {
                    notes.append("history of \(names[index]) could not be read: \(failure.reason)")
                    continue
                }
                failed[index] = nil
            }
            fetching.insert(index)
            if held.timeIntervalSince(needed) <= Self.contiguousReach {
                fetches.append(Fetch(source: index, from: needed, to: held, contiguous: true, needed: needed))
            } else {
                // Half an hour either side, so the next steps back or forth read nothing.
                let to = min(moment.addingTimeInterval(Self.excursionMargin), held)
                fetches.append(Fetch(
                    source: index, from: needed.addingTimeInterval(-Self.excursionMargin), to: to, contiguous: false, needed: needed))
            }
        }
        if !fetches.isEmpty || waiting { notes.append("loading history…") }
        let cut = leftOut
        if cut.rows > 0, let upTo = cut.upTo, needed <= upTo {
            notes.append("\(cut.rows) rows up to \(LocalTime.text(upTo)) left out to bound this window's memory")
        }
        if readsStopped.count > 0 {
            notes.append("a read of history stopped after \(readsStopped.at) rows (a source sent more for one hour)")
        }
        lastReplay = moment
        let cached = cache.flatMap { $0.moment == moment && $0.version == historyVersion ? $0.core : nil }
        var failedCalls: [CallRecord] = []
        var buckets: [CallBucket] = []
        if cached == nil {
            (failedCalls, buckets) = timeline.records(after: needed, upTo: moment)
            for part in excursionParts {
                failedCalls += part.failed
                buckets += part.buckets
            }
        }
        return Plan(moment: moment, note: notes.isEmpty ? nil : notes.joined(separator: " · "), failed: failedCalls, buckets: buckets,
                    cached: cached, fetches: fetches, waiting: waiting, version: historyVersion)
    }

    /// Back to live: what travelling held may be forgotten again.
    mutating func returnedLive() {
        lastReplay = nil
        excursions.removeAll()
        failed.removeAll()
    }

    /// A read for time travel landed.
    mutating func fetched(_ fetch: Fetch, read: HistoryCollector, label: SourceLabel, now: Date) {
        fetching.remove(fetch.source)
        counted(read)
        let events = Array(read.events)
        if fetch.contiguous {
            _ = timeline.add(contentsOf: events, source: fetch.source, label: label, latest: now)
            heldFrom[fetch.source] = min(heldFrom[fetch.source] ?? fetch.from, fetch.from)
            // The timeline holds that span now: an excursion over it would count it twice.
            excursions[fetch.source] = nil
        } else if lastReplay != nil {
            var excursion = Excursion(from: fetch.from, to: fetch.to, timeline: Timeline(budget: timeline.budget))
            _ = excursion.timeline.add(contentsOf: events, source: fetch.source, label: label, latest: now)
            excursions[fetch.source] = excursion
        }
        historyVersion += 1
    }

    private mutating func counted(_ read: HistoryCollector) {
        if read.stopped { readsStopped = (readsStopped.count + 1, read.maxRead) }
        readsLeftOut += read.leftOut
        if let upTo = read.leftOutUpTo { readsLeftOutUpTo = max(readsLeftOutUpTo ?? upTo, upTo) }
    }

    /// What was let go to stay within the budget, by reads and by the timelines, and the
    /// newest time among it: a replay that reaches back past that time lacks those rows.
    var leftOut: (rows: Int, upTo: Date?) {
        var rows = readsLeftOut + timeline.leftOut
        var upTo = [readsLeftOutUpTo, timeline.leftOutUpTo].compactMap { $0 }.max()
        for excursion in excursions.values {
            rows += excursion.timeline.leftOut
            if let time = excursion.timeline.leftOutUpTo { upTo = max(upTo ?? time, time) }
        }
        return (rows, upTo)
    }

    mutating func fetchFailed(_ fetch: Fetch, reason: String) {
        fetching.remove(fetch.source)
        failed[fetch.source] = (fetch.needed, reason)
        historyVersion += 1
    }

    /// Every ten minutes: lets go of what is older than `held`, unless the moment on screen
    /// needs it, or a read is on its way (it would leave a gap marked as held).
    private mutating func forgetIfDue(now: Date, held: TimeInterval) {
        if let lastForget, now.timeIntervalSince(lastForget) < 600 { return }
        guard fetching.isEmpty else { return }
        lastForget = now
        var cutoff = now.addingTimeInterval(-held)
        if let lastReplay { cutoff = min(cutoff, lastReplay.addingTimeInterval(-Viewer.attachSpan)) }
        timeline.forget(before: cutoff)
        for index in heldFrom.indices {
            if let from = heldFrom[index], from < cutoff { heldFrom[index] = cutoff }
        }
    }
}

/// `2026-11-25 03:10:00` in the local zone, for the notes a replay shows.
enum LocalTime {
    static func text(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }
}
