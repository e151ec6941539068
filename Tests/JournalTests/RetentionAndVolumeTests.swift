import Foundation
import Testing
import TestSupport
@testable import Journal
import ManagementAPI

@Suite("Journal: retention by age and size, and volume")
struct RetentionAndVolumeTests {
    static let day: TimeInterval = 86_400

    /// Three UTC days of failed calls with 1 KiB bodies, figures and 2xx buckets.
    func fillThreeDays(_ writer: JournalWriter, perDay: Int) async {
        for day in 0..<3 {
            let dayStart = Fixtures.start.addingTimeInterval(Double(day) * Self.day)
            for index in 0..<perDay {
                let time = dayStart.addingTimeInterval(Double(index) * 10)
                writer.append(Fixtures.record(at: time, status: 400, remaining: 5), requestBody: Data(repeating: 0x42, count: 1_024))
                writer.append(Fixtures.record(at: time, status: 200))
            }
        }
        await writer.flush()
    }

    @Test("prune(olderThan:) removes calls and buckets (with their figures) before the cutoff and keeps the rest")
    func pruneByAge() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        await fillThreeDays(writer, perDay: 50)
        let cutoff = Fixtures.start.addingTimeInterval(Self.day)
        let result = try await writer.prune(olderThan: cutoff)
        #expect(result.deletedRows == 100)  // 50 calls (each holding its figure), 50 buckets
        let reader = try JournalReader(path: temp.path)
        #expect(try reader.oldestRecordTime() == cutoff)
        #expect(try reader.failedCalls(from: .distantPast, to: .distantFuture).count == 100)
        #expect(try reader.figures(from: .distantPast, to: cutoff).isEmpty)
        #expect(try reader.buckets(from: .distantPast, to: cutoff).isEmpty)
        #expect(try reader.tokens().count == 1)
        await writer.close()
    }

    @Test("enforce(maxBytes:) drops the oldest whole days and the file really shrinks")
    func enforceBySize() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        await fillThreeDays(writer, perDay: 400)
        let reader = try JournalReader(path: temp.path)
        let full = writer.fileSize
        #expect(full > 1_000_000)
        let budget = full / 2
        let result = try await writer.enforce(maxBytes: budget)
        #expect(result.daysRemoved == 2)
        // The newest day is whole; the oldest days are wholly gone.
        let lastDay = Fixtures.start.addingTimeInterval(2 * Self.day)
        #expect(try reader.oldestRecordTime() == lastDay)
        #expect(try reader.failedCalls(from: .distantPast, to: .distantFuture).count == 400)
        // Under budget already: nothing is removed.
        let again = try await writer.enforce(maxBytes: budget)
        #expect(again.daysRemoved == 0)
        // The pages went back to the file system: the file itself shrank (its write-ahead log,
        // cut back by checkpoints that never wait for readers, is folded in at close).
        await writer.close()
        #expect(writer.fileSize <= budget)
        #expect(writer.fileSize < full)
    }

    @Test("past the size with only the newest hour left, no call of it goes: the oldest request bodies go instead")
    func floodKeepsTheNewestHour() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        let now = Date()
        // 20 real 400s, then a flood of 64 KiB bodies, all in the last few minutes.
        for index in 0..<20 {
            writer.append(Fixtures.record(at: now.addingTimeInterval(Double(index) - 300), status: 400), requestBody: Data("{}".utf8))
        }
        await Blocking.run {
            for index in 0..<80 {
                writer.append(Fixtures.record(at: now.addingTimeInterval(Double(index) - 200), status: 400),
                              requestBody: Data(repeating: 0x41, count: 64 << 10))
            }
        }
        await writer.flush()
        let budget: Int64 = 2 << 20
        #expect(writer.fileSize > budget)
        let result = try await writer.enforce(maxBytes: budget)
        #expect(result.deletedRows == 0, "a call of the newest hour was deleted")
        #expect(result.bodiesRemoved > 0)
        #expect(!result.overSize)
        let reader = try JournalReader(path: temp.path)
        let calls = try await Blocking.run { try reader.failedCalls(from: .distantPast, to: .distantFuture) }
        #expect(calls.count == 100)
        #expect(calls.filter { $0.record.time < now.addingTimeInterval(-280) }.count == 20, "the first 20 failed calls are not all there")
        await writer.close()
        #expect(writer.fileSize <= budget)
    }

    @Test("100 000 records are written in batches and read back")
    func hundredThousand() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        let tokens = [Fixtures.alpha, Fixtures.beta]
        // Seconds of CPU on a thread of its own, not on the two cooperative ones the rest of
        // the run shares.
        await Blocking.run {
            for index in 0..<100_000 {
                let status = index % 5 == 0 ? 429 : 200
                writer.append(
                    Fixtures.record(
                        at: Fixtures.start.addingTimeInterval(Double(index) / 10), token: tokens[index % 2], status: status,
                        latencyMilliseconds: 40, limit: 60, remaining: index % 60))
            }
        }
        await writer.flush()
        #expect(writer.health.droppedRecords == 0)
        let reader = try JournalReader(path: temp.path)
        let (calls, figures) = try await Blocking.run {
            (try reader.calls(from: Fixtures.start, to: Fixtures.start.addingTimeInterval(10_000)),
             try reader.figures(from: .distantPast, to: .distantFuture))
        }
        #expect(calls.count == 100_000)
        #expect(calls.filter { $0.outcome == .status(429) }.count == 20_000)
        // Every 429 keeps its own figure; the 2xx of each token's 10-s window keep one, the newest.
        #expect(figures.count == 20_000 + 1_000 * 2)
        // Alpha's last 429 is record 99 990 at 9 999.0 s; its last 2xx record 99 998 at 9 999.8 s.
        let lastSecond = figures.filter { $0.token == Fixtures.alpha && $0.time >= Fixtures.start.addingTimeInterval(9_999) }
        #expect(lastSecond.map(\.remaining) == [99_990 % 60, 99_998 % 60])
        #expect(calls.map(\.time) == calls.map(\.time).sorted())
        await writer.close()
    }
}
