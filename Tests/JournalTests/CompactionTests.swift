import Foundation
import Testing
@testable import Journal
import ManagementAPI

/// What keeps a week of 20 busy tokens under 300 MiB (the size itself is measured by
/// `make bench`): folded figures, interned errors, one bucket row per window.
@Suite("Journal: compact rows — folded figures, interned errors")
struct CompactionTests {
    @Test("2xx figures fold per bucket into the newest and the lowest remaining; a failed call keeps its own")
    func successFiguresFold() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        let at = { (offset: Double) in Fixtures.start.addingTimeInterval(offset) }
        writer.append(Fixtures.record(at: at(1), status: 200, limit: 60, remaining: 30))
        writer.append(Fixtures.record(at: at(5.25), status: 200, limit: 60, remaining: 10))
        writer.append(Fixtures.record(at: at(3), status: 200, limit: 60, remaining: 2))  // older, lower
        writer.append(Fixtures.record(at: at(4), status: 429, limit: 60, remaining: 0))
        writer.append(Fixtures.record(at: at(6), token: Fixtures.beta, status: 200))  // no figure
        await writer.flush()

        let reader = try JournalReader(path: temp.path)
        let figures = try reader.figures(from: Fixtures.start, to: at(60))
        #expect(figures.map(\.time) == [at(4), at(5.25)])
        #expect(figures.map(\.remaining) == [0, 10])
        #expect(figures.map(\.lowestRemaining) == [0, 2])
        #expect(figures.map(\.limit) == [60, 60])
        #expect(figures.allSatisfy { $0.token == Fixtures.alpha })

        // Each figure is the event right after its call's or its bucket's.
        let events = try reader.events(after: 0)
        for (index, event) in events.enumerated() {
            guard case .figure(let figure) = event else { continue }
            let owner = events[index - 1]
            #expect(figure.seq == owner.seq + 1)
            #expect(["call"].contains(owner.kind))
        }
        #expect(events.filter { $0.kind == "figure" }.count == 2)

        // Spread over the window, the bucket's last call is the one that carried the figure,
        // at its time and with it.
        let alphaBucket = try #require(try reader.buckets(from: Fixtures.start, to: at(10)).first { $0.token == Fixtures.alpha })
        let expanded = alphaBucket.expanded()
        #expect(expanded.count == 3)
        #expect(expanded.map(\.time) == [Fixtures.start, at(10.0 / 3), at(5.25)])
        #expect(expanded.last?.rate == RateHeaders(limit: 60, remaining: 10, requestID: nil))
        await writer.close()
    }

    @Test("a bucket added to after a flush keeps the newer figure and the lowest remaining")
    func figureUpdateAfterFlush() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        let at = { (offset: Double) in Fixtures.start.addingTimeInterval(offset) }
        writer.append(Fixtures.record(at: at(1), status: 200, limit: 60, remaining: 30))
        await writer.flush()
        writer.append(Fixtures.record(at: at(5), status: 200, limit: 60, remaining: 10))
        await writer.flush()
        writer.append(Fixtures.record(at: at(0.5), status: 200, limit: 60, remaining: 2))  // late, older, lower
        await writer.flush()
        writer.append(Fixtures.record(at: at(2), status: 200))  // no figure: changes none
        await writer.flush()

        let buckets = try JournalReader(path: temp.path).buckets(from: .distantPast, to: .distantFuture)
        #expect(buckets.count == 1)
        #expect(buckets.first?.count == 4)
        let figure = try #require(buckets.first?.figure)
        #expect(figure.time == at(5))
        #expect(figure.remaining == 10)
        #expect(figure.lowestRemaining == 2)
        #expect(figure.seq == buckets[0].seq + 1)
        await writer.close()
    }

    @Test("identical errors arrays are stored once, read back whole, and dropped by retention with the last call that used them")
    func errorsInterned() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        let limited = [ErrorEntry(code: "rate_limit_exceeded", description: "The rate limit has been exceeded.")]
        for index in 0..<100 {
            writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(Double(index)), status: 429, errors: limited))
            if index == 50 { await writer.flush() }  // the second batch reuses the first one's set
        }
        // Too large for the writer's cache of sets (2 KiB of JSON): nothing can name it again.
        let long = [ErrorEntry(code: "invalid_request", description: String(repeating: "long ", count: 600))]
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(120), status: 400, errors: long))
        // Two hours later: retention never deletes the newest hour.
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(7_200), status: 400, errors: Fixtures.fieldErrors))
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(7_201), status: 500))  // no errors at all
        await writer.flush()
        #expect(try await writer.store.fetchInt("SELECT count(*) FROM error_sets") == 3)

        let calls = try JournalReader(path: temp.path).failedCalls(from: .distantPast, to: .distantFuture)
        #expect(calls.count == 103)
        #expect(calls.prefix(100).allSatisfy { $0.record.errors == limited })
        #expect(calls[101].record.errors == Fixtures.fieldErrors)
        #expect(calls[102].record.errors.isEmpty)

        // Retention drops the sets no call uses any more, except those the writer may still name
        // without writing them (its cache: a batch prepared with it can land after the delete).
        try await writer.prune(olderThan: Fixtures.start.addingTimeInterval(150))
        #expect(try await writer.store.fetchInt("SELECT count(*) FROM error_sets") == 2, "the long set stayed, or the cached one went")
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(7_300), status: 429, errors: limited))
        await writer.flush()
        #expect(try await writer.store.fetchInt("SELECT count(*) FROM error_sets") == 2, "the cached set was written again")
        let last = try JournalReader(path: temp.path).failedCalls(from: Fixtures.start.addingTimeInterval(7_300), to: .distantFuture)
        #expect(last.map(\.record.errors) == [limited])
        await writer.close()
    }

    @Test("a thousand 2xx calls with figures in one window are one bucket row and nothing else")
    func oneRowPerWindow() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        for index in 0..<1_000 {
            writer.append(
                Fixtures.record(
                    at: Fixtures.start.addingTimeInterval(Double(index) / 100), status: 200, limit: 60, remaining: index % 60,
                    requestID: "req-\(index)"))
        }
        await writer.flush()
        for (table, rows) in [("buckets", 1), ("calls", 0), ("tokens", 1), ("error_sets", 0)] {
            #expect(try await writer.store.fetchInt("SELECT count(*) FROM \(table)") == rows, "\(table)")
        }
        await writer.close()
    }

    @Test("a token first seen without a label takes the label a later call gives it, as a new token event")
    func labelLearned() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        let anonymous = TokenReference(fingerprint: Fixtures.alpha.fingerprint, label: nil)
        writer.append(Fixtures.record(token: anonymous, status: 500))
        await writer.flush()
        let reader = try JournalReader(path: temp.path)
        let first = try reader.tokens()
        #expect(first.map(\.token) == [anonymous])
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(1), token: Fixtures.alpha, status: 500))
        await writer.flush()
        let tokens = try reader.tokens()
        #expect(tokens.map(\.token) == [Fixtures.alpha])
        #expect(tokens[0].seq > first[0].seq)
        // Every call of that token now reads back under its label.
        #expect(try reader.failedCalls(from: .distantPast, to: .distantFuture).map(\.record.token) == [Fixtures.alpha, Fixtures.alpha])
        await writer.close()
    }
}
