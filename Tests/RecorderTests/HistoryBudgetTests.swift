@testable import Feed
import Foundation
import Journal
import ManagementAPI
import Monitor
import Testing

/// A viewer's history is bounded by rows and by estimated bytes, as the monitor's ring is
/// (issue 23, point 12): past the budget the oldest rows go first, on entry, and what went is
/// counted, so a replay that reaches back there says what it lacks.
@Suite("Viewer: history held within a budget")
struct HistoryBudgetTests {
    static func call(_ offset: TimeInterval, description: String = "down for a moment") -> CallRecord {
        Fixtures.record(at: offset, status: 503, errors: [ErrorEntry(code: "service_unavailable", description: description, detail: nil)])
    }

    static func bucket(_ offset: TimeInterval, seq: Int64) -> CallBucket {
        CallBucket(
            seq: seq, start: Fixtures.start.addingTimeInterval(offset), token: Fixtures.alpha, method: "GET", status: 200, source: .tap,
            count: 3, latencySum: .milliseconds(120), latencyMax: .milliseconds(40), figure: nil, firstSeq: seq)
    }

    static let far = Fixtures.start.addingTimeInterval(1_000_000)

    @Test("live calls past the row cap: the newest stay, the oldest are counted as left out, with the newest time among them")
    func rowCap() {
        var timeline = Timeline(budget: HistoryBudget(rows: 100, bytes: 1 << 40))
        for index in 0..<1_000 { _ = timeline.add(call: Self.call(Double(index)), seq: Int64(index + 1), source: 0) }
        #expect((90...100).contains(timeline.count), "held \(timeline.count)")
        #expect(timeline.leftOut == 1_000 - timeline.count)
        let held = timeline.records(after: Fixtures.start.addingTimeInterval(-1), upTo: Self.far).failed
        #expect(held.count == timeline.count)
        #expect(held.first?.time == Fixtures.start.addingTimeInterval(Double(1_000 - timeline.count)))
        #expect(held.last?.time == Fixtures.start.addingTimeInterval(999))
        #expect(timeline.leftOutUpTo == Fixtures.start.addingTimeInterval(Double(1_000 - timeline.count - 1)))
    }

    @Test("calls of a megabyte each past the byte cap: at most the budget is held, however few rows that is")
    func byteCap() {
        let megabyte = String(repeating: "x", count: 1 << 20)
        var timeline = Timeline(budget: HistoryBudget(rows: 1_000_000, bytes: 8 << 20))
        for index in 0..<100 { _ = timeline.add(call: Self.call(Double(index), description: megabyte), seq: Int64(index + 1), source: 0) }
        #expect(timeline.heldBytes <= 8 << 20)
        #expect((1...8).contains(timeline.count), "held \(timeline.count)")
        #expect(timeline.leftOut == 100 - timeline.count)
    }

    @Test("a range read past the cap keeps its newest rows, calls and buckets alike, oldest let go first by time")
    func rangeRead() {
        var timeline = Timeline(budget: HistoryBudget(rows: 100, bytes: 1 << 40))
        var events: [JournalEvent] = []
        for index in 0..<300 {
            let seq = Int64(index + 1)
            events.append(index.isMultiple(of: 2)
                ? .call(JournaledCall(seq: seq, record: Self.call(Double(index)), requestBody: nil))
                : .bucket(Self.bucket(Double(index), seq: seq)))
        }
        let added = timeline.add(contentsOf: events, source: 0, label: SourceLabel(suffix: nil), latest: Self.far)
        #expect(added.calls.count + added.buckets.count == 300, "what the read brought is all new to the live monitor")
        #expect(timeline.count == 90)
        #expect(timeline.leftOut == 210)
        let held = timeline.records(after: Fixtures.start.addingTimeInterval(-1), upTo: Self.far)
        let times = held.failed.map(\.time) + held.buckets.map(\.start)
        #expect(times.min() == Fixtures.start.addingTimeInterval(210))
        #expect(timeline.leftOutUpTo == Fixtures.start.addingTimeInterval(209))
    }

    @Test("forgetting gives back the bytes: a timeline emptied by forget holds none")
    func forgetCounts() {
        var timeline = Timeline(budget: .viewer)
        for index in 0..<50 {
            _ = timeline.add(call: Self.call(Double(index)), seq: Int64(2 * index + 1), source: 0)
            _ = timeline.add(bucket: Self.bucket(Double(index), seq: Int64(2 * index + 2)), source: 0)
        }
        #expect(timeline.heldBytes > 0)
        timeline.forget(before: Self.far)
        #expect(timeline.isEmpty)
        #expect(timeline.heldBytes == 0)
        #expect(timeline.leftOut == 0, "forgetting what is past the held span is not leaving out")
    }

    @Test("a read collected within the budget keeps the newest events in order and counts the rest")
    func collector() {
        var collector = HistoryCollector(budget: HistoryBudget(rows: 10, bytes: 1 << 40))
        for index in 0..<25 {
            collector.keep(.call(JournaledCall(seq: Int64(index + 1), record: Self.call(Double(index)), requestBody: nil)))
        }
        #expect(collector.events.map(\.seq) == Array(16...25))
        #expect(collector.leftOut == 15)
        #expect(collector.leftOutUpTo == Fixtures.start.addingTimeInterval(14))

        var heavy = HistoryCollector(budget: HistoryBudget(rows: 1_000_000, bytes: 4 << 20))
        let megabyte = String(repeating: "y", count: 1 << 20)
        for index in 0..<20 {
            heavy.keep(.call(JournaledCall(seq: Int64(index + 1), record: Self.call(Double(index), description: megabyte), requestBody: nil)))
        }
        #expect((1...4).contains(heavy.events.count), "kept \(heavy.events.count)")
        #expect(heavy.events.last?.seq == 20)
    }

    @Test("a replay that reaches back past what was left out says so; one that does not, does not")
    func replayNote() {
        var state = ViewerState(lines: [SourceLine(name: "127.0.0.1:8788", condition: .live, historySince: nil)],
                                budget: HistoryBudget(rows: 100, bytes: 1 << 40))
        var read = HistoryCollector(budget: HistoryBudget(rows: 1_000, bytes: 1 << 40))
        for index in 0..<3_600 {
            read.keep(.call(JournaledCall(seq: Int64(index + 1), record: Self.call(Double(index)), requestBody: nil)))
        }
        _ = state.loaded(0, read: read, from: Fixtures.start, oldest: Fixtures.start, label: SourceLabel(suffix: nil), now: Self.far)
        let end = Fixtures.start.addingTimeInterval(3_600)
        let past = state.plan(asked: end, names: ["127.0.0.1:8788"], span: 3_600)
        #expect(past.note?.contains("rows up to") == true && past.note?.contains("left out to bound this window's memory") == true,
                "\(past.note ?? "no note")")
        let later = state.plan(asked: end.addingTimeInterval(3_600), names: ["127.0.0.1:8788"], span: 60)
        #expect(later.note?.contains("left out") != true, "\(later.note ?? "no note")")
        #expect(later.note?.contains("stopped") != true, "\(later.note ?? "no note")")
    }

    @Test("a read that goes on past five budgets of rows stops there, keeps the newest it read, and a replay says so")
    func endlessRead() {
        var read = HistoryCollector(budget: HistoryBudget(rows: 10, bytes: 1 << 40))
        var kept = 0
        for index in 0..<1_000 {
            guard read.keep(.call(JournaledCall(seq: Int64(index + 1), record: Self.call(Double(index)), requestBody: nil))) else { break }
            kept += 1
        }
        #expect(kept == 50 && read.read == 50 && read.stopped)
        #expect(read.events.map(\.seq) == Array(41...50))
        var state = ViewerState(lines: [SourceLine(name: "box", condition: .live, historySince: nil)], budget: .viewer)
        _ = state.loaded(0, read: read, from: Fixtures.start, oldest: Fixtures.start, label: SourceLabel(suffix: nil), now: Self.far)
        let replay = state.plan(asked: Fixtures.start.addingTimeInterval(60), names: ["box"], span: 3_600)
        #expect(replay.note?.contains("a read of history stopped after 50 rows") == true, "\(replay.note ?? "no note")")
    }

    @Test("bytes held stay exact through bucket updates, trims and forgetting: an emptied timeline holds none")
    func byteInvariant() {
        var timeline = Timeline(budget: HistoryBudget(rows: 40, bytes: 1 << 40))
        for index in 0..<200 {
            _ = timeline.add(call: Self.call(Double(index)), seq: Int64(3 * index + 1), source: 0)
            _ = timeline.add(bucket: Self.bucket(Double(index), seq: Int64(3 * index + 2)), source: 0)
            // A newer state of the same window: more calls, the same identity.
            let first = Int64(3 * index + 2)
            let grown = CallBucket(
                seq: first + 1, start: Fixtures.start.addingTimeInterval(Double(index)), token: Fixtures.alpha, method: "GET", status: 200,
                source: .tap, count: 3 + index, latencySum: .milliseconds(120), latencyMax: .milliseconds(40), figure: nil, firstSeq: first)
            _ = timeline.add(bucket: grown, source: 0)
        }
        #expect(timeline.leftOut > 0)
        timeline.forget(before: Self.far)
        #expect(timeline.isEmpty && timeline.heldBytes == 0, "\(timeline.heldBytes) bytes left")
    }

    @Test("an update of a bucket trimmed away, or a repeat of a call trimmed away, is not taken as new")
    func trimmedNotNew() {
        var timeline = Timeline(budget: HistoryBudget(rows: 10, bytes: 1 << 40))
        _ = timeline.add(bucket: Self.bucket(0, seq: 1), source: 0)
        _ = timeline.add(call: Self.call(1), seq: 2, source: 0)
        for index in 2..<20 { _ = timeline.add(call: Self.call(Double(index)), seq: Int64(index + 1), source: 0) }
        #expect(timeline.leftOut > 0)
        let update = CallBucket(
            seq: 100, start: Fixtures.start, token: Fixtures.alpha, method: "GET", status: 200, source: .tap, count: 9,
            latencySum: .milliseconds(120), latencyMax: .milliseconds(40), figure: nil, firstSeq: 1)
        #expect(timeline.add(bucket: update, source: 0) == nil, "its calls would be counted again")
        #expect(timeline.add(call: Self.call(1), seq: 2, source: 0) == false)
    }
}
