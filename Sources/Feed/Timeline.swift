import Foundation
import Journal
import ManagementAPI

/// What a viewer holds of its sources' journals, for time travel: the failed calls and the
/// buckets of successes, in time order, each event once. A plain value; `Viewer` locks it.
///
/// Events come from two places that overlap: a range read (`/v1/calls` or the journal file)
/// and the live stream after it. A call is held once by its (source, seq); a bucket by its
/// (source, first_seq) identity, and a newer event of it (a higher seq: more calls counted)
/// replaces the older one, whose totals it includes.
///
/// Bounded by rows and by estimated bytes (`HistoryBudget`), as the monitor's ring is: past
/// either, the oldest rows are let go on entry, and the timeline counts them and remembers
/// the newest time it let go, so a replay of that span can say what it lacks.
struct Timeline: Sendable {
    struct Key: Hashable, Sendable {
        let source: Int
        let seq: Int64
    }

    private struct HeldCall: Sendable {
        let key: Key
        let record: CallRecord
    }

    private struct HeldBucket: Sendable {
        let key: Key
        let start: Date
    }

    let budget: HistoryBudget
    /// Estimated bytes held (`JournalEvent.heldBytes` of each call and bucket).
    private(set) var heldBytes = 0
    /// Rows let go to stay within the budget, and the newest time among them.
    private(set) var leftOut = 0
    private(set) var leftOutUpTo: Date?

    /// Failed calls, oldest first.
    private var calls: [HeldCall] = []
    private var callKeys: Set<Key> = []
    /// Buckets by identity, and their identities in order of window start.
    private var buckets: [Key: CallBucket] = [:]
    private var bucketOrder: [HeldBucket] = []

    var isEmpty: Bool { calls.isEmpty && buckets.isEmpty }
    var count: Int { calls.count + buckets.count }

    init(budget: HistoryBudget = .viewer) {
        self.budget = budget
    }

    static func bytes(of record: CallRecord) -> Int { JournalEvent.fixedBytes + record.heapBytes }
    /// A bucket weighs the calls a replay expands it into (`JournalEvent.heldBytes`).
    static func bytes(of bucket: CallBucket) -> Int { JournalEvent.bucket(bucket).heldBytes }

    /// Holds a failed call; false when it was held already.
    mutating func add(call record: CallRecord, seq: Int64, source: Int) -> Bool {
        // Within what was let go (a repeat of a call trimmed away would count twice).
        if let cut = leftOutUpTo, record.time <= cut { return false }
        let key = Key(source: source, seq: seq)
        guard callKeys.insert(key).inserted else { return false }
        let held = HeldCall(key: key, record: record)
        if let last = calls.last, last.record.time > record.time {
            calls.insert(held, at: Self.firstIndex(in: calls, after: record.time) { $0.record.time })
        } else {
            calls.append(held)
        }
        heldBytes += Self.bytes(of: record)
        trimIfOver()
        return true
    }

    /// Holds a bucket or its newer state. Returns the count held before (0 when it is new),
    /// or nil when the event is not newer than what is held (a repeat, or an older update).
    mutating func add(bucket: CallBucket, source: Int) -> Int? {
        let key = Key(source: source, seq: bucket.firstSeq)
        if let held = buckets[key] {
            guard bucket.seq > held.seq else { return nil }
            let updated = bucket.keeping(start: held.start)
            heldBytes += Self.bytes(of: updated) - Self.bytes(of: held)
            buckets[key] = updated
            trimIfOver()
            return held.count
        }
        // Within what was let go: an update of a bucket trimmed away would count its calls
        // again, and anything that old would go at the next trim.
        if let cut = leftOutUpTo, bucket.start <= cut { return nil }
        buckets[key] = bucket
        let held = HeldBucket(key: key, start: bucket.start)
        if let last = bucketOrder.last, last.start > bucket.start {
            bucketOrder.insert(held, at: Self.firstIndex(in: bucketOrder, after: bucket.start) { $0.start })
        } else {
            bucketOrder.append(held)
        }
        heldBytes += Self.bytes(of: bucket)
        trimIfOver()
        return 0
    }

    /// Holds a range read at once: the new calls and buckets (repeats and older updates left
    /// out), each list sorted once instead of inserted one by one, so a read of an hour that
    /// lands before what is held costs a sort, not a shift of the whole timeline per event.
    mutating func add(contentsOf events: [JournalEvent], source: Int, label: SourceLabel, latest: Date)
        -> (calls: [CallRecord], buckets: [CallBucket])
    {
        var newCalls: [CallRecord] = []
        var newBuckets: [CallBucket] = []
        var callsSorted = true
        var bucketsSorted = true
        for event in events {
            switch event {
            case .call(let call):
                let key = Key(source: source, seq: call.seq)
                let record = label.call(call.record).at(latest: latest)
                if let cut = leftOutUpTo, record.time <= cut { continue }
                guard callKeys.insert(key).inserted else { continue }
                if let last = calls.last, last.record.time > record.time { callsSorted = false }
                calls.append(HeldCall(key: key, record: record))
                heldBytes += Self.bytes(of: record)
                newCalls.append(record)
            case .bucket(let bucket):
                let bucket = label.bucket(bucket).starting(notAfter: latest)
                let key = Key(source: source, seq: bucket.firstSeq)
                if buckets[key] == nil, let cut = leftOutUpTo, bucket.start <= cut { continue }
                if let held = buckets[key] {
                    if bucket.seq > held.seq {
                        let updated = bucket.keeping(start: held.start)
                        heldBytes += Self.bytes(of: updated) - Self.bytes(of: held)
                        buckets[key] = updated
                    }
                    continue
                }
                buckets[key] = bucket
                if let last = bucketOrder.last, last.start > bucket.start { bucketsSorted = false }
                bucketOrder.append(HeldBucket(key: key, start: bucket.start))
                heldBytes += Self.bytes(of: bucket)
                newBuckets.append(bucket)
            case .figure, .token:
                continue
            }
        }
        if !callsSorted { calls.sort { ($0.record.time, $0.key.source, $0.key.seq) < ($1.record.time, $1.key.source, $1.key.seq) } }
        if !bucketsSorted { bucketOrder.sort { ($0.start, $0.key.source, $0.key.seq) < ($1.start, $1.key.source, $1.key.seq) } }
        trimIfOver()
        return (newCalls, newBuckets)
    }

    /// Past the budget, lets go of the oldest rows (calls and buckets by time) down to nine
    /// tenths of it: a timeline at its cap trims once per tenth, not once per event.
    private mutating func trimIfOver() {
        guard count > budget.rows || heldBytes > budget.bytes else { return }
        let rowTarget = budget.rows - budget.rows / 10
        let byteTarget = budget.bytes - budget.bytes / 10
        let total = count
        var callCut = 0
        var bucketCut = 0
        var newest: Date?
        while total - callCut - bucketCut > rowTarget || heldBytes > byteTarget, callCut < calls.count || bucketCut < bucketOrder.count {
            let call = callCut < calls.count ? calls[callCut] : nil
            let bucket = bucketCut < bucketOrder.count ? bucketOrder[bucketCut] : nil
            if let call, bucket.map({ call.record.time <= $0.start }) ?? true {
                callKeys.remove(call.key)
                heldBytes -= Self.bytes(of: call.record)
                newest = max(newest ?? call.record.time, call.record.time)
                callCut += 1
            } else if let bucket {
                if let removed = buckets.removeValue(forKey: bucket.key) { heldBytes -= Self.bytes(of: removed) }
                newest = max(newest ?? bucket.start, bucket.start)
                bucketCut += 1
            }
        }
        calls.removeFirst(callCut)
        bucketOrder.removeFirst(bucketCut)
        leftOut += callCut + bucketCut
        if let newest { leftOutUpTo = max(leftOutUpTo ?? newest, newest) }
    }

    /// What `JournalReader.rebuildMonitor` would ingest for a dashboard at `moment` that had
    /// watched since `from`, by the same rules: failed calls in (`from`, `moment`], buckets
    /// whose window starts at or after `from` and has ended by `moment`.
    /// Taken under the viewer's lock; expand them with `CallBucket.replayRecords` outside it.
    func records(after from: Date, upTo moment: Date) -> (failed: [CallRecord], buckets: [CallBucket]) {
        let failedStart = Self.firstIndex(in: calls, after: from) { $0.record.time }
        let failedEnd = Self.firstIndex(in: calls, after: moment) { $0.record.time }
        let failed = failedStart < failedEnd ? calls[failedStart..<failedEnd].map(\.record) : []
        let bucketStart = Self.firstIndex(in: bucketOrder, notBefore: from) { $0.start }
        let bucketEnd = Self.firstIndex(in: bucketOrder, after: moment.addingTimeInterval(-CallBucket.width)) { $0.start }
        let held = bucketStart < bucketEnd ? bucketOrder[bucketStart..<bucketEnd].compactMap { buckets[$0.key] } : []
        return (failed, held)
    }

    /// Lets go of everything older than `cutoff`: a viewer open for days holds a bounded span.
    mutating func forget(before cutoff: Date) {
        let callCut = Self.firstIndex(in: calls, notBefore: cutoff) { $0.record.time }
        for held in calls[..<callCut] {
            callKeys.remove(held.key)
            heldBytes -= Self.bytes(of: held.record)
        }
        calls.removeFirst(callCut)
        let bucketCut = Self.firstIndex(in: bucketOrder, notBefore: cutoff) { $0.start }
        for held in bucketOrder[..<bucketCut] {
            if let removed = buckets.removeValue(forKey: held.key) { heldBytes -= Self.bytes(of: removed) }
        }
        bucketOrder.removeFirst(bucketCut)
    }

    /// The first index whose time is after `time` (binary search; `items` is in time order).
    private static func firstIndex<T>(in items: [T], after time: Date, _ timeOf: (T) -> Date) -> Int {
        var low = 0
        var high = items.count
        while low < high {
            let middle = (low + high) / 2
            if timeOf(items[middle]) <= time { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The first index whose time is at or after `time`.
    private static func firstIndex<T>(in items: [T], notBefore time: Date, _ timeOf: (T) -> Date) -> Int {
        var low = 0
        var high = items.count
        while low < high {
            let middle = (low + high) / 2
            if timeOf(items[middle]) < time { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension CallRecord {
    /// The same call, dated no later than `latest`: a source whose clock runs ahead must not
    /// date calls in this viewer's future (the monitor's windows follow the newest time seen).
    func at(latest: Date) -> CallRecord {
        guard time > latest else { return self }
        return CallRecord(
            time: latest, token: token, method: method, path: path, outcome: outcome, latency: latency, rate: rate, errors: errors,
            source: source, bodyTruncated: bodyTruncated, job: job, route: route)
    }
}

extension CallBucket {
    /// The same bucket in the window `start`: an update of a bucket stays in the window it was
    /// first held in (the timeline's order says so), even when a clock ahead moved it.
    func keeping(start held: Date) -> CallBucket {
        guard start != held else { return self }
        return CallBucket(
            seq: seq, start: held, token: token, method: method, status: status, source: source, count: count,
            latencySum: latencySum, latencyMax: latencyMax, figure: figure, firstSeq: firstSeq, parts: parts)
    }

    /// The same bucket, its window starting no later than the one holding `latest` (see
    /// `CallRecord.at(latest:)`); its figure, if dated later, is dated then too.
    func starting(notAfter latest: Date) -> CallBucket {
        let window = (latest.timeIntervalSinceReferenceDate / Self.width).rounded(.down) * Self.width
        let lastStart = Date(timeIntervalSinceReferenceDate: window)
        let figure = self.figure.map { figure in
            figure.time <= latest ? figure
                : ServerFigure(seq: figure.seq, time: latest, token: figure.token, limit: figure.limit, remaining: figure.remaining,
                               lowestRemaining: figure.lowestRemaining)
        }
        guard start > lastStart || figure != self.figure else { return self }
        return CallBucket(
            seq: seq, start: min(start, lastStart), token: token, method: method, status: status, source: source, count: count,
            latencySum: latencySum, latencyMax: latencyMax, figure: figure, firstSeq: firstSeq, parts: parts)
    }
}
