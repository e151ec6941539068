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

    /// Older history of one source to read: `from <= time < to`.
    struct Fetch: Sendable, Hashable {
        let source: Int
        let from: Date
        let to: Date
    }

    /// What a replay needs, taken under the lock; the monitor is built outside it.
    struct Plan {
        let moment: Date
        let note: String?
        let records: [CallRecord]
        let cached: MonitorCore?
        let fetches: [Fetch]
        /// A source is still loading, or older history is on its way.
        let waiting: Bool
        let version: UInt64
    }

    var timeline = Timeline()
    private(set) var lines: [SourceLine]
    /// Per source: history is held from here on (nil until its first read landed).
    private var heldFrom: [Date?]
    /// Per source: its journal's first record.
    private var oldest: [Date?]
    private(set) var version: UInt64 = 0
    private var fetching: Set<Int> = []
    private var olderFailed: [Int: String] = [:]
    var cache: Cache?
    /// The moment last replayed: what it needs is never forgotten.
    private var lastReplay: Date?
    private var lastForget: Date?
    /// Per source: the last event its live stream delivered, where a moved source resumes.
    private var lastSeqs: [Int: Int64] = [:]

    init(lines: [SourceLine]) {
        self.lines = lines
        heldFrom = Array(repeating: nil, count: lines.count)
        oldest = Array(repeating: nil, count: lines.count)
    }

    // MARK: events in

    /// The first read of a source: its last hour held, and returned (oldest first) for the
    /// live monitor.
    mutating func loaded(_ index: Int, events: [JournalEvent], from: Date, oldest first: Date?, label: SourceLabel) -> [CallRecord] {
        var failed: [CallRecord] = []
        var buckets: [CallBucket] = []
        for event in events {
            switch event {
            case .call(let call):
                let record = label.call(call.record)
                if timeline.add(call: record, seq: call.seq, source: index) { failed.append(record) }
            case .bucket(let bucket):
                let bucket = label.bucket(bucket)
                if timeline.add(bucket: bucket, source: index) != nil { buckets.append(bucket) }
            case .figure, .token:
                break
            }
        }
        heldFrom[index] = min(heldFrom[index] ?? from, from)
        oldest[index] = first
        lines[index] = SourceLine(name: lines[index].name, condition: lines[index].condition, historySince: first)
        version += 1
        return CallBucket.replayRecords(failed: failed, buckets: buckets)
    }

    /// One live event; returns what the live monitor should ingest: a new failed call, or the
    /// calls a bucket gained since the state held (an update carries its window's totals).
    mutating func arrived(_ index: Int, event: JournalEvent, label: SourceLabel, now: Date, held: TimeInterval) -> [CallRecord] {
        lastSeqs[index] = max(lastSeqs[index] ?? event.seq, event.seq)
        var records: [CallRecord] = []
        switch event {
        case .call(let call):
            let record = label.call(call.record)
            if timeline.add(call: record, seq: call.seq, source: index) { records.append(record) }
        case .bucket(let bucket):
            let bucket = label.bucket(bucket)
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
            version += 1
        }
        forgetIfDue(now: now, held: held)
        return records
    }

    func lastSeq(_ index: Int) -> Int64? { lastSeqs[index] }

    mutating func renamed(_ index: Int, to name: String) {
        lines[index] = SourceLine(name: name, condition: .connecting, historySince: lines[index].historySince)
        version += 1
    }

    mutating func condition(_ index: Int, _ state: EventFollower.State) {
        let condition: SourceLine.Condition
        switch state {
        case .connecting: condition = .connecting
        case .live: condition = .live
        case .unreachable(let since, let reason): condition = .unreachable(since: since, reason: reason)
        case .unreadable(let since, let reason): condition = .unreadable(since: since, reason: reason)
        }
        guard lines[index].condition != condition else { return }
        lines[index] = SourceLine(name: lines[index].name, condition: condition, historySince: lines[index].historySince)
        version += 1
    }

    /// The first read failed; `since` stays that of the first failure in a row.
    mutating func down(_ index: Int, unreadable: Bool, reason: String, now: Date) {
        var since = now
        switch lines[index].condition {
        case .unreachable(let earlier, _), .unreadable(let earlier, _): since = earlier
        case .connecting, .live: break
        }
        condition(index, unreadable ? .unreadable(since: since, reason: reason) : .unreachable(since: since, reason: reason))
    }

    // MARK: time travel

    mutating func plan(asked: Date, names: [String], span: TimeInterval) -> Plan {
        var moment = asked
        var notes: [String] = []
        let first = oldest.compactMap { $0 }.min()
        if let first, moment < first {
            // Lands on the first record: its 10-second window, ended.
            moment = first.addingTimeInterval(CallBucket.width)
            notes.append("the journal starts at \(LocalTime.text(first)): this is its first record")
        }
        var fetches: [Fetch] = []
        var waiting = false
        let needed = moment.addingTimeInterval(-span)
        for index in names.indices {
            guard let held = heldFrom[index] else {
                waiting = true
                continue
            }
            if let reason = olderFailed[index] {
                notes.append("older history of \(names[index]) could not be read: \(reason)")
                continue
            }
            guard needed < held, let first = oldest[index], first < held else { continue }
            if fetching.insert(index).inserted {
                fetches.append(Fetch(source: index, from: needed, to: held))
            } else {
                waiting = true
            }
        }
        if !fetches.isEmpty || waiting { notes.append("loading history…") }
        lastReplay = moment
        let cached = cache.flatMap { $0.moment == moment && $0.version == version ? $0.core : nil }
        return Plan(moment: moment, note: notes.isEmpty ? nil : notes.joined(separator: " · "),
                    records: cached == nil ? timeline.records(after: needed, upTo: moment) : [], cached: cached,
                    fetches: fetches, waiting: waiting, version: version)
    }

    /// Older history landed: held from `fetch.from` on now.
    mutating func older(_ fetch: Fetch, events: [JournalEvent], label: SourceLabel) {
        for event in events {
            switch event {
            case .call(let call): _ = timeline.add(call: label.call(call.record), seq: call.seq, source: fetch.source)
            case .bucket(let bucket): _ = timeline.add(bucket: label.bucket(bucket), source: fetch.source)
            case .figure, .token: break
            }
        }
        heldFrom[fetch.source] = min(heldFrom[fetch.source] ?? fetch.from, fetch.from)
        fetching.remove(fetch.source)
        version += 1
    }

    mutating func olderFailed(_ fetch: Fetch, reason: String) {
        fetching.remove(fetch.source)
        olderFailed[fetch.source] = reason
        version += 1
    }

    /// Every ten minutes: lets go of what is older than `held`, unless the last replay needs it.
    private mutating func forgetIfDue(now: Date, held: TimeInterval) {
        if let lastForget, now.timeIntervalSince(lastForget) < 600 { return }
        lastForget = now
        var cutoff = now.addingTimeInterval(-held)
        if let lastReplay { cutoff = min(cutoff, lastReplay.addingTimeInterval(-Viewer.attachSpan)) }
        timeline.forget(before: cutoff)
        for index in heldFrom.indices {
            if let from = heldFrom[index], from < cutoff { heldFrom[index] = cutoff }
        }
    }
}

extension CallRecord {
    /// The same call, dated no later than `latest`.
    func at(latest: Date) -> CallRecord {
        guard time > latest else { return self }
        return CallRecord(
            time: latest, token: token, method: method, path: path, outcome: outcome, latency: latency, rate: rate, errors: errors,
            source: source, bodyTruncated: bodyTruncated)
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
