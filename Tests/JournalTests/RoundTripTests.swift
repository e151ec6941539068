import Foundation
import Testing
@testable import Journal
import ManagementAPI

@Suite("Journal: non-2xx calls in full, 2xx folded into buckets")
struct RoundTripTests {
    @Test("non-2xx calls come back whole: errors, rate figures, transport failures and request bodies")
    func failedCallsRoundTrip() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        let invalid = Fixtures.record(
            at: Fixtures.start.addingTimeInterval(0.123456789), method: "POST", status: 400, latencyMilliseconds: 87,
            limit: 60, remaining: 17, requestID: "req-1", errors: Fixtures.fieldErrors)
        let limited = Fixtures.record(at: Fixtures.start.addingTimeInterval(1), token: Fixtures.beta, status: 429, source: .probe)
        let refused = CallRecord(
            time: Fixtures.start.addingTimeInterval(2), token: Fixtures.alpha, method: "GET", path: "/v2/sites",
            outcome: .transport(.refused), latency: .milliseconds(3), rate: .unknown,
            errors: [ErrorEntry(code: "transport", description: "connection refused", synthesized: true)], source: .tap,
            bodyTruncated: true)
        let small = Data("{\"name\":\"x\"}".utf8)
        let huge = Data((0..<(RequestBody.cap + 10)).map { UInt8($0 % 251) })
        writer.append(invalid, requestBody: small)
        writer.append(limited, requestBody: huge)
        writer.append(refused)
        await writer.flush()

        let reader = try JournalReader(path: temp.path)
        let calls = try reader.failedCalls(from: Fixtures.start, to: Fixtures.start.addingTimeInterval(60))
        #expect(calls.map(\.record) == [invalid, limited, refused])
        #expect(calls[0].requestBody == RequestBody(bytes: small, cut: false))
        #expect(calls[1].requestBody?.cut == true)
        #expect(calls[1].requestBody?.bytes == huge.prefix(RequestBody.cap))
        #expect(calls[2].requestBody == nil)
        await writer.close()
    }

    @Test("a body of exactly 64 KiB is kept whole and not marked cut")
    func bodyAtTheCap() {
        let body = Data(repeating: 7, count: RequestBody.cap)
        #expect(RequestBody(capping: body) == RequestBody(bytes: body, cut: false))
        #expect(RequestBody(capping: body + Data([1])).cut)
    }

    @Test("2xx calls fold into 10 s buckets per token, method and status, with count, latency sum and max")
    func successesFoldIntoBuckets() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        for (offset, latency) in [(0.5, 10), (3.0, 30), (9.9, 50)] {
            writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(offset), status: 200, latencyMilliseconds: latency))
        }
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(10), status: 200, latencyMilliseconds: 70))
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(4), method: "POST", status: 201))
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(5), token: Fixtures.beta, status: 200))
        await writer.flush()

        let reader = try JournalReader(path: temp.path)
        let buckets = try reader.buckets(from: Fixtures.start, to: Fixtures.start.addingTimeInterval(60))
        #expect(buckets.count == 4)
        let first = try #require(buckets.first { $0.start == Fixtures.start && $0.token == Fixtures.alpha && $0.method == "GET" })
        #expect(first.count == 3)
        #expect(first.status == 200)
        #expect(first.latencySum == .milliseconds(90))
        #expect(first.latencyMax == .milliseconds(50))
        #expect(first.meanLatency == .milliseconds(30))
        #expect(try reader.failedCalls(from: .distantPast, to: .distantFuture).isEmpty)

        // Expanded, the buckets give back one record per call, with exact counts per window.
        let records = try reader.calls(from: Fixtures.start, to: Fixtures.start.addingTimeInterval(60))
        #expect(records.count == 6)
        let firstWindow = records.filter {
            $0.time >= Fixtures.start && $0.time < Fixtures.start.addingTimeInterval(10) && $0.method == "GET" && $0.token == Fixtures.alpha
        }
        // Spread evenly over their window, as steady traffic would have been.
        #expect(firstWindow.map(\.time) == [0, 10.0 / 3, 20.0 / 3].map { Fixtures.start.addingTimeInterval($0) })
        // Each with a latency in its histogram bucket: the 70 ms call comes back in the 50–75 ms bucket.
        let lone = records.filter { $0.time == Fixtures.start.addingTimeInterval(10) }
        #expect(lone.map { LatencyHistogram.bucket(of: $0.latency) } == [LatencyHistogram.bucket(of: .milliseconds(70))])
        #expect(firstWindow.map { LatencyHistogram.bucket(of: $0.latency) }.sorted() == first.parts.first?.latencies?.counts.enumerated()
            .flatMap { Array(repeating: $0.offset, count: Int($0.element)) })
        await writer.close()
    }

    @Test("a bucket written by a flush and then added to is upserted, not duplicated")
    func bucketUpsertAfterFlush() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        writer.append(Fixtures.record(status: 200, latencyMilliseconds: 20))
        await writer.flush()
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(1), status: 200, latencyMilliseconds: 40))
        await writer.flush()
        let buckets = try JournalReader(path: temp.path).buckets(from: .distantPast, to: .distantFuture)
        #expect(buckets.count == 1)
        #expect(buckets.first?.count == 2)
        #expect(buckets.first?.latencySum == .milliseconds(60))
        #expect(buckets.first?.latencyMax == .milliseconds(40))
        await writer.close()
    }

    @Test("a failed call's query string is journaled with it and read back; a success's is not kept")
    func queryStrings() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        writer.append(Fixtures.record(status: 400), query: "page_length=-1&sort=created:dsc")
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(1), status: 200), query: "page=2")
        await writer.close()
        let reader = try JournalReader(path: temp.path)
        let calls = try reader.failedCalls(from: .distantPast, to: .distantFuture)
        #expect(calls.map(\.query) == ["page_length=-1&sort=created:dsc"])
        #expect(calls.first?.target == "/v2/sites?page_length=-1&sort=created:dsc")
        let parts = try reader.replayParts(of: Fixtures.record(status: 400))
        #expect(parts?.query == "page_length=-1&sort=created:dsc")
        #expect(parts?.body == nil)
        let paged = try await reader.failedCalls(from: .distantPast, to: .distantFuture, after: nil, limit: 10, bodies: false)
        #expect(paged.map(\.query) == ["page_length=-1&sort=created:dsc"])
    }
}
