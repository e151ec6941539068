import Foundation
@testable import Journal
import ManagementAPI
import Testing
import TestSupport

/// Successes of a window still open reach the disk with the next batch (DESIGN.md section 8:
/// after kill -9 every call answered more than a second earlier is there), and each update of
/// a bucket row names the event it supersedes, so a follower of the stream never counts a
/// success twice.
@Suite("Journal: open buckets")
struct OpenBucketTests {
    @Test("a success in a window that is still open is on disk within a batch, without flush or close")
    func openWindowIsWrittenByTheNextBatch() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        var options = JournalWriter.Options()
        options.batchInterval = .milliseconds(50)
        let writer = try JournalWriter(path: temp.path, options: options)
        // An hour ahead of the wall clock: its window cannot close while the test runs.
        let future = Date().addingTimeInterval(3_600)
        writer.append(Fixtures.record(at: future, status: 200, limit: 60, remaining: 41))
        let reader = try JournalReader(path: temp.path)
        let written = await eventually {
            (try? reader.buckets(from: .distantPast, to: .distantFuture).first?.count) == 1
        }
        #expect(written, "the open window's success never reached the file")
        #expect(try reader.figures(from: .distantPast, to: .distantFuture).map(\.remaining) == [41])
        await writer.close()
    }

    @Test("each batch adds to the open window's row; the row takes a new seq and keeps its first one as its identity")
    func updatesKeepTheirIdentity() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        let reader = try JournalReader(path: temp.path)
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(1), status: 200))
        await writer.flush()
        let first = try #require(try reader.buckets(from: .distantPast, to: .distantFuture).first)
        #expect(first.count == 1)
        #expect(first.firstSeq == first.seq)

        // Two more batches: a follower that resumes after the first event misses the middle
        // update entirely, and must still end with the row's true total.
        for second in [2.0, 3.0] {
            writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(second), status: 200))
            await writer.flush()
        }
        let buckets = try reader.buckets(from: .distantPast, to: .distantFuture)
        #expect(buckets.count == 1, "one row per window, not one per batch")
        let latest = try #require(buckets.first)
        #expect(latest.count == 3)
        #expect(latest.seq > first.seq)
        #expect(latest.firstSeq == first.seq)

        var followed: [Int64: CallBucket] = [first.firstSeq: first]
        for case .bucket(let bucket) in try reader.events(after: first.seq) { followed[bucket.firstSeq] = bucket }
        #expect(followed.values.reduce(0) { $0 + $1.count } == 3)
        await writer.close()
    }

    @Test("a journal of schema 1 reads as it is, and is migrated to 2 by its writer with its bucket rows unchanged")
    func migratesSchemaOne() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        writer.append(Fixtures.record(status: 200))
        await writer.close()
        // Back to what a schema-1 writer left: no `first_seq` column, schema 1, v2 not applied.
        let pool = try JournalFile.openForWriting(path: temp.path)
        try await pool.write { db in
            try db.execute(sql: """
                ALTER TABLE buckets DROP COLUMN first_seq;
                ALTER TABLE calls DROP COLUMN query;
                UPDATE meta SET value = '1' WHERE key = 'schema';
                DELETE FROM grdb_migrations WHERE identifier = 'v2';
                """)
        }
        try pool.close()
        let old = try JournalReader(path: temp.path)
        #expect(try old.buckets(from: .distantPast, to: .distantFuture).map(\.count) == [1])
        // Every read a viewer or an export makes works on the file as schema 1 left it.
        #expect(try await old.buckets(from: .distantPast, to: .distantFuture, after: nil, limit: 10).map(\.count) == [1])
        #expect(try await old.failedCalls(from: .distantPast, to: .distantFuture, after: nil, limit: 10, bodies: false).isEmpty)
        #expect(try old.events(after: 0).count == 1 + 1, "the bucket and its token")

        let reopened = try JournalWriter(path: temp.path)
        reopened.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(1), status: 200))
        await reopened.close()
        let reader = try JournalReader(path: temp.path)
        let schema = try reader.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'schema'") }
        #expect(schema == "2")
        // A new session does not know the old row's seq, so the window has a second row.
        #expect(try reader.buckets(from: .distantPast, to: .distantFuture).map(\.count).reduce(0, +) == 2)
    }
}

@Suite("Journal: sequence origin")
struct SequenceOriginTests {
    @Test("a journal deleted and made anew while no writer runs numbers its events past every seq of the old file")
    func recreatedOfflineContinuesPastTheOld() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        for offset in 0..<50 { writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(Double(offset)), status: 500)) }
        await writer.close()
        let oldLast = try #require(try JournalReader(path: temp.path).events(after: 0, limit: 10_000).last?.seq)
        for file in [temp.path, temp.path + "-wal", temp.path + "-shm"] { try? FileManager.default.removeItem(atPath: file) }

        let fresh = try JournalWriter(path: temp.path)
        fresh.append(Fixtures.record(status: 500))
        await fresh.close()
        // A viewer that followed the old file resumes after its last id and still gets the new call.
        let resumed = try JournalReader(path: temp.path).events(after: oldLast)
        #expect(resumed.contains { if case .call = $0 { true } else { false } }, "a Last-Event-ID of the old file hides the new file's events")
    }

    @Test("the origin is the creation time in microseconds")
    func originIsTime() {
        #expect(JournalSchema.seqOrigin(now: Date(timeIntervalSince1970: 1_800_000_000.25)) == 1_800_000_000_250_000)
    }
}
