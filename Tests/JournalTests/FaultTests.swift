import Foundation
import Testing
@testable import Journal
import ManagementAPI

@Suite("Journal: a full disk and a deleted file never crash the writer")
struct FaultTests {
    @Test("disk full (max_page_count): appends return at once, health says dropping, and it recovers")
    func diskFullThenRecovers() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        // Batches only when flushed: whatever the writer does before then, append did itself.
        let writer = try JournalWriter(path: temp.path, options: .onDemand)
        writer.append(Fixtures.record(status: 500))
        await writer.flush()
        #expect(!writer.health.isDropping)

        // SQLite refuses to grow the file past its current page count: SQLITE_FULL, a real fault.
        let pages = try #require(await writer.store.fetchInt("PRAGMA page_count"))
        try await writer.store.execute("PRAGMA max_page_count = \(pages)")
        let body = Data(repeating: 0x41, count: 32 * 1024)
        for index in 0..<2_000 {
            writer.append(
                Fixtures.record(at: Fixtures.start.addingTimeInterval(Double(index) / 100), status: 400),
                requestBody: body)
        }
        // 2 000 appends of 32 KiB bodies, against a disk that refuses every write: append only
        // queues, so nothing has failed yet; a writer that did its I/O on the caller's thread
        // would already be dropping.
        #expect(!writer.health.isDropping, "append wrote on the caller's thread")
        await writer.flush()
        let dropping = writer.health
        #expect(dropping.isDropping)
        #expect(dropping.droppedRecords > 0)
        #expect(dropping.description.hasPrefix("dropping records since "))
        #expect(dropping.description.contains("full"))

        try await writer.store.execute("PRAGMA max_page_count = 1073741823")
        let later = Fixtures.record(at: Fixtures.start.addingTimeInterval(3_600), status: 502)
        writer.append(later)
        await writer.flush()
        #expect(!writer.health.isDropping)
        #expect(writer.health.droppedRecords == dropping.droppedRecords)
        let reader = try JournalReader(path: temp.path)
        let kept = try reader.failedCalls(from: later.time, to: later.time.addingTimeInterval(1))
        #expect(kept.map(\.record) == [later])
        await writer.close()
    }

    @Test("a full queue drops and counts, and append still returns at once")
    func fullQueueCounts() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        var options = JournalWriter.Options()
        options.queueCapacity = 10
        options.batchSize = 1_000
        options.batchInterval = .seconds(60)  // nothing is written before the explicit flush
        let writer = try JournalWriter(path: temp.path, options: options)
        let accepted = (0..<25).map { writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(Double($0)), status: 500)) }
        #expect(accepted.filter { $0 }.count == 10)
        #expect(writer.health.droppedAtQueue == 15)
        #expect(writer.health.droppedRecords == 15)
        await writer.flush()
        #expect(try JournalReader(path: temp.path).failedCalls(from: .distantPast, to: .distantFuture).count == 10)
        await writer.close()
    }

    @Test("queued request bodies are bounded by bytes: past the budget, records are dropped and counted")
    func queueBodyBudget() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        var options = JournalWriter.Options()
        options.queueBodyBytes = 200 * 1024
        options.batchInterval = .seconds(60)  // nothing is written before the explicit flush
        let writer = try JournalWriter(path: temp.path, options: options)
        let body = Data(repeating: 0x42, count: 100 * 1024)  // kept as 64 KiB each
        let accepted = (0..<5).map {
            writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(Double($0)), status: 400), requestBody: body)
        }
        #expect(accepted == [true, true, true, false, false])
        #expect(writer.health.droppedAtQueue == 2)
        await writer.flush()
        // Once written, the budget is free again.
        #expect(writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(10), status: 400), requestBody: body))
        await writer.flush()
        #expect(try JournalReader(path: temp.path).failedCalls(from: .distantPast, to: .distantFuture).count == 4)
        await writer.close()
    }

    @Test("a journal deleted while open is recreated, said in health, and later records land in the new file, which a reader opened before follows")
    func deletedWhileOpen() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        // Opened before the deletion, as the admin server's reader is: it must follow the writer.
        let longLived = try JournalReader(path: temp.path)
        writer.append(Fixtures.record(status: 500))
        await writer.flush()
        #expect(try longLived.failedCalls(from: .distantPast, to: .distantFuture).count == 1)
        for file in [temp.path, temp.path + "-wal", temp.path + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
        #expect(!FileManager.default.fileExists(atPath: temp.path))

        let after = Fixtures.record(at: Fixtures.start.addingTimeInterval(60), token: Fixtures.beta, status: 404)
        writer.append(after)
        await writer.flush()
        #expect(writer.health.recreatedAt != nil)
        #expect(writer.health.description.contains("deleted while open"))
        #expect(temp.mode(temp.path) == 0o600)
        let reader = try JournalReader(path: temp.path)
        #expect(try reader.failedCalls(from: .distantPast, to: .distantFuture).map(\.record) == [after])
        #expect(try reader.tokens().map(\.token) == [Fixtures.beta])
        #expect(try longLived.failedCalls(from: .distantPast, to: .distantFuture).map(\.record) == [after])
        #expect(try longLived.tokens().map(\.token) == [Fixtures.beta])
        await writer.close()
    }

    @Test("once a close has begun, a journal whose folder was removed is not made again; a record still queued is counted as dropped",
          arguments: [false, true])
    func closeAfterFolderRemoved(recordQueued: Bool) async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path, options: .onDemand)
        writer.append(Fixtures.record(status: 500))
        await writer.flush()
        if recordQueued { writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(1), status: 502)) }
        try FileManager.default.removeItem(atPath: temp.folder)
        await writer.close()
        #expect(!FileManager.default.fileExists(atPath: temp.folder), "a stopping writer made the journal again")
        #expect(writer.health.droppedRecords == (recordQueued ? 1 : 0))
    }

    /// The -wal and -shm stay behind; none of the old journal's rows may come back with them.
    @Test("only the main file deleted: the new journal holds only the records written after")
    func mainFileDeletedAlone() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        writer.append(Fixtures.record(status: 500))
        await writer.flush()
        try FileManager.default.removeItem(atPath: temp.path)
        let after = Fixtures.record(at: Fixtures.start.addingTimeInterval(60), status: 401)
        writer.append(after)
        await writer.flush()
        #expect(writer.health.recreatedAt != nil)
        #expect(try JournalReader(path: temp.path).failedCalls(from: .distantPast, to: .distantFuture).map(\.record) == [after])
        await writer.close()
    }
}
