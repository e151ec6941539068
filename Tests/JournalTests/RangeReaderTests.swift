import Foundation
@testable import Journal
import ManagementAPI
import TestSupport
import Testing

/// A range read page by page while the writer goes on: every row once, in time order, even
/// when a bucket already read is updated (and so renumbered) before the next page.
@Suite("Journal: paged range reads")
struct RangeReaderTests {
    @Test("calls and buckets merge in time order across small pages, each once, calls sharing an instant included")
    func mergesAcrossPages() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        for index in 0..<9 { writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(Double(index / 3) * 10), status: 500)) }
        for window in 0..<4 { writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(Double(window) * 10 + 5), status: 200)) }
        await writer.flush()
        let reader = try JournalReader(path: temp.path)
        var range = RangeReader(reader: reader, from: .distantPast, to: .distantFuture, bodies: false, pageSize: 2)
        var times: [Date] = []
        var calls = Set<Int64>()
        var buckets = Set<Int64>()
        while let event = try await range.next() {
            switch event {
            case .call(let call):
                #expect(calls.insert(call.seq).inserted, "call \(call.seq) twice")
                times.append(call.record.time)
            case .bucket(let bucket):
                #expect(buckets.insert(bucket.firstSeq).inserted, "bucket \(bucket.firstSeq) twice")
                times.append(bucket.start)
            default: Issue.record("not a call: \(event)")
            }
        }
        #expect(calls.count == 9)
        #expect(buckets.count == 4)
        #expect(times == times.sorted())
        await writer.close()
    }

    @Test("a bucket of a window updated between two pages, the page edge inside that window, is not read again under its new seq")
    func updatedBucketNotRepeated() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        // Four buckets of one window (one per method), so a page edge falls inside the window.
        let methods = ["GET", "POST", "PUT", "DELETE"]
        for method in methods { writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(1), method: method, status: 200)) }
        await writer.flush()
        let reader = try JournalReader(path: temp.path)
        var range = RangeReader(reader: reader, from: .distantPast, to: .distantFuture, bodies: false, pageSize: 2)
        var seen: [Int64] = []
        var firstMethod: String?
        for _ in 0..<2 {
            if case .bucket(let bucket)? = try await range.next() {
                seen.append(bucket.firstSeq)
                firstMethod = firstMethod ?? bucket.method
            }
        }
        // The window is still open: the first bucket gets another success and its row takes a
        // seq above every other, past the cursor of a reader paging by seq.
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(2), method: try #require(firstMethod), status: 200))
        await writer.flush()
        while let event = try await range.next() {
            if case .bucket(let bucket) = event { seen.append(bucket.firstSeq) }
        }
        #expect(seen.count == 4, "buckets read: \(seen)")
        #expect(Set(seen).count == 4, "a bucket came twice: \(seen)")
        await writer.close()
    }

    @Test("400 calls whose errors are 100 KiB each: every one read, no page heavier than about the page budget")
    func pagesBoundedByBytes() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        let heavy = [ErrorEntry(code: "invalid_request", description: String(repeating: "x", count: 100 << 10))]
        await Blocking.run {
            for index in 0..<400 {
                writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(Double(index)), status: 400, errors: heavy))
            }
        }
        await writer.flush()
        let reader = try JournalReader(path: temp.path)
        var range = RangeReader(reader: reader, from: .distantPast, to: .distantFuture, bodies: false)
        var count = 0
        while try await range.next() != nil { count += 1 }
        #expect(count == 400)
        // 2 000 rows a page were 200 MiB here; now the first page is small and the next fit the budget.
        #expect(range.heaviestPage <= RangeReader.pageBytes + (200 << 10), "a page of \(range.heaviestPage) bytes")
        let total = 400 * (100 << 10)
        print("range read of \(total >> 20) MiB of errors: heaviest page \(range.heaviestPage >> 10) KiB, \(String(format: "%.3f", Double(range.heaviestPage) / Double(total))) of the range")
        await writer.close()
    }
}
