import Foundation
import GRDB
@testable import Journal
import ManagementAPI
import Testing
import TestSupport

@Suite("Journal: who called and where (schema 3)")
struct JobRouteJournalTests {
    @Test("failed calls keep their job and route; a window's successes keep theirs per job and route with their latencies, across batches")
    func roundTrip() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        let failed = Fixtures.record(at: Fixtures.start.addingTimeInterval(1), path: "/v2/sites/Abc12345/media/XyZ98765/", status: 404)
            .attributed(job: "nightly-ingest.py")
        let ingest = (0..<3).map { index in
            Fixtures.record(at: Fixtures.start.addingTimeInterval(Double(index)), path: "/v2/sites/Abc12345/media/", status: 200,
                            latencyMilliseconds: [4, 40, 400][index]).attributed(job: "nightly-ingest.py")
        }
        let sync = Fixtures.record(at: Fixtures.start.addingTimeInterval(2), path: "/v2/sites/Abc12345/media/", status: 200)
            .attributed(job: "sync.jar")
        writer.append(failed)
        for record in ingest.prefix(2) + [sync] { writer.append(record) }
        await writer.flush()
        // The window is still open: a later batch adds to the same row, histogram included.
        writer.append(ingest[2])
        await writer.flush()

        let reader = try JournalReader(path: temp.path)
        let calls = try reader.failedCalls(from: .distantPast, to: .distantFuture)
        #expect(calls.map(\.record) == [failed])
        #expect(calls.first?.record.route == "/v2/sites/{site_id}/media/{media_id}/")
        // One row for the window (token, method, status), its calls by job and route inside it.
        let buckets = try reader.buckets(from: .distantPast, to: .distantFuture)
        #expect(buckets.count == 1 && buckets.first?.count == 4)
        let parts = try #require(buckets.first?.parts)
        #expect(parts.map(\.job) == ["nightly-ingest.py", "sync.jar"])
        #expect(parts.map(\.route) == ["/v2/sites/{site_id}/media/", "/v2/sites/{site_id}/media/"])
        #expect(parts.map(\.count) == [3, 1])
        var expected = LatencyHistogram()
        for record in ingest { expected.add(record.latency) }
        #expect(parts.first?.latencies == expected)
        let expanded = buckets.first?.expanded() ?? []
        #expect(expanded.map(\.job) == ["nightly-ingest.py", "nightly-ingest.py", "nightly-ingest.py", "sync.jar"])
        #expect(expanded.allSatisfy { $0.route == "/v2/sites/{site_id}/media/" })
        #expect(expanded.prefix(3).map { LatencyHistogram.bucket(of: $0.latency) } == ingest.map { LatencyHistogram.bucket(of: $0.latency) })
        // Each name is stored once, however many rows name it.
        let names = try await writer.store.fetchInt("SELECT count(*) FROM names")
        #expect(names == 4)
        await writer.close()
    }

    @Test("a bucket row gone between two batches (retention) is written anew, and its latencies keep adding up to its count")
    func rowGoneBetweenBatches() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        func call(_ second: Double, _ milliseconds: Int) -> CallRecord {
            Fixtures.record(at: Fixtures.start.addingTimeInterval(second), status: 200, latencyMilliseconds: milliseconds).attributed(job: "a")
        }
        writer.append(call(0, 5))
        await writer.flush()
        try await writer.store.execute("DELETE FROM buckets")
        writer.append(call(1, 50))
        await writer.flush()
        writer.append(call(2, 500))
        await writer.flush()
        let reader = try JournalReader(path: temp.path)
        let bucket = try #require(try reader.buckets(from: .distantPast, to: .distantFuture).first)
        #expect(bucket.count == 2)
        #expect(bucket.parts.map(\.count) == [2] && bucket.parts.first?.latencies?.total == 2)
        #expect(bucket.expanded().map { LatencyHistogram.bucket(of: $0.latency) }
            == [LatencyHistogram.bucket(of: .milliseconds(50)), LatencyHistogram.bucket(of: .milliseconds(500))])
        await writer.close()
    }

    @Test("retention drops a name once no row refers to it and the writer has not used it for a pass; it comes back when called again")
    func namesPruned() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        func call(_ second: Double, _ job: String) -> CallRecord {
            Fixtures.record(at: Fixtures.start.addingTimeInterval(second), status: 500).attributed(job: job)
        }
        func names() async throws -> Int? { try await writer.store.fetchInt("SELECT count(*) FROM names") }
        writer.append(call(0, "old-job"))
        writer.append(call(7_200, "new-job"))
        await writer.flush()
        #expect(try await names() == 3)
        // Each pass deletes an old row; "old-job" was used before the first, so it stays cached
        // through it and the next, then goes.
        try await writer.prune(olderThan: Fixtures.start.addingTimeInterval(150))
        #expect(try await names() == 3)
        writer.append(call(200, "new-job"))
        await writer.flush()
        try await writer.prune(olderThan: Fixtures.start.addingTimeInterval(250))
        #expect(try await names() == 3)
        writer.append(call(300, "new-job"))
        await writer.flush()
        try await writer.prune(olderThan: Fixtures.start.addingTimeInterval(350))
        #expect(try await names() == 2)
        writer.append(call(7_300, "old-job"))
        await writer.flush()
        let jobs = try JournalReader(path: temp.path).failedCalls(from: .distantPast, to: .distantFuture).map(\.record.job)
        #expect(jobs == ["new-job", "old-job"])
        await writer.close()
    }

    @Test("a journal of schema 2 is upgraded in place: its rows read as before, with job ? and their routes")
    func upgradesSchemaTwo() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let path = temp.path
        try await Blocking.run { try Self.makeSchemaTwo(path) }
        #expect(try Self.schema(temp.path) == "2")

        let writer = try JournalWriter(path: temp.path)
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(20), path: "/v2/webhooks/", status: 500).attributed(job: "cron.sh"))
        await writer.flush()
        await writer.close()
        #expect(try Self.schema(temp.path) == "3")

        let reader = try JournalReader(path: temp.path)
        let calls = try reader.failedCalls(from: .distantPast, to: .distantFuture)
        #expect(calls.map(\.record.job) == [JobName.unknown, "cron.sh"])
        #expect(calls.map(\.record.route) == ["/v2/webhooks/{webhook_id}/", "/v2/webhooks/"])
        let old = try #require(try reader.buckets(from: .distantPast, to: .distantFuture).first)
        #expect(old.count == 2 && old.parts.isEmpty)
        #expect(old.expanded().allSatisfy { $0.job == JobName.unknown && $0.route == APIRoute.other })
        #expect(old.expanded().map(\.latency) == [.milliseconds(5), .milliseconds(5)])
    }

    /// A journal as mapitop wrote it before jobs and routes: schema 2, a token, a failed call and a bucket.
    static func makeSchemaTwo(_ path: String) throws {
        // A pool: WAL, as every journal mapitop writes.
        let queue = try DatabasePool(path: path)
        try JournalSchema.migrator.migrate(queue, upTo: "v2")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO tokens (id, seq, fingerprint, label, source, first_at) VALUES (1, 10, 'a1a1a1a1', 'alpha', 1, \(Fixtures.start.timeIntervalSinceReferenceDate));
                INSERT INTO calls (seq, at, token, method, path, status, latency_ns, errors, source, response_truncated)
                    VALUES (11, \(Fixtures.start.timeIntervalSinceReferenceDate + 1), 1, 'GET', '/v2/webhooks/wh1/', 404, 5000000, NULL, 1, 0);
                INSERT INTO buckets (seq, start, token, method, status, source, count, latency_sum_us, latency_max_us)
                    VALUES (13, \(Int(Fixtures.start.timeIntervalSinceReferenceDate)), 1, 'GET', 200, 1, 2, 10000, 6000);
                """)
        }
        try queue.close()
    }

    static func schema(_ path: String) throws -> String? {
        let queue = try DatabasePool(path: path)
        defer { try? queue.close() }
        return try queue.read { try String.fetchOne($0, sql: "SELECT value FROM meta WHERE key = 'schema'") }
    }
}
