import Foundation
import Testing
@testable import Journal
import ManagementAPI
import TestSupport

@Suite("Journal: the writer batches by time and by count, without being asked to flush")
struct BatchingTests {
    @Test("with default options the timer writes a record to disk, no flush and no full batch needed")
    func writtenByTheTimer() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        let reader = try JournalReader(path: temp.path)
        writer.append(Fixtures.record(status: 503))
        // How soon (250 ms batches, the kill -9 promise) is for the benchmarks and the
        // recorder's kill -9 test; here, that it happens at all without a flush.
        #expect(try await eventually {
            try reader.failedCalls(from: .distantPast, to: .distantFuture).count == 1
        })
        await writer.close()
    }

    @Test("a full batch is written at once, long before the interval")
    func writtenByTheCount() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        var options = JournalWriter.Options()
        options.batchSize = 100
        options.batchInterval = .seconds(3_600)
        let writer = try JournalWriter(path: temp.path, options: options)
        let reader = try JournalReader(path: temp.path)
        for index in 0..<99 { writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(Double(index)), status: 500)) }
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(99), status: 500))
        #expect(try await eventually {
            try reader.failedCalls(from: .distantPast, to: .distantFuture).count == 100
        })
        await writer.close()
    }

    @Test("close() writes what is queued, releases the lock, and later appends are refused")
    func closeFlushes() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path, options: .onDemand)
        writer.append(Fixtures.record(status: 500))
        writer.append(Fixtures.record(status: 200))
        await writer.close()
        await writer.close()  // twice is harmless
        #expect(!writer.append(Fixtures.record(status: 500)))
        await writer.flush()  // returns at once once closed
        let reader = try JournalReader(path: temp.path)
        #expect(try reader.calls(from: .distantPast, to: .distantFuture).count == 2)
        let next = try JournalWriter(path: temp.path)
        await next.close()
    }
}
