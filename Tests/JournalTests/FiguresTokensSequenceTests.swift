import Foundation
import Testing
@testable import Journal
import ManagementAPI

@Suite("Journal: server figures, tokens, and one sequence across every kind")
struct FiguresTokensSequenceTests {
    @Test("figures of failed calls and of buckets read back in time order; tokens are stored once each, without secrets")
    func figuresAndTokens() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        writer.append(Fixtures.record(status: 200, limit: 60, remaining: 41, source: .probe))
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(1), status: 429, limit: 60, remaining: 0))
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(2), status: 200))  // no figures
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(3), token: Fixtures.beta, status: 200, remaining: 7))
        await writer.flush()
        // The same tokens again, in a later batch: still one row each.
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(4), status: 500))
        await writer.flush()
        await writer.close()

        // Reopening keeps what it knew: no duplicate token rows after a restart either.
        let again = try JournalWriter(path: temp.path)
        again.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(5), token: Fixtures.beta, status: 404))
        await again.flush()
        await again.close()

        let reader = try JournalReader(path: temp.path)
        let figures = try reader.figures(from: Fixtures.start, to: Fixtures.start.addingTimeInterval(60))
        #expect(figures.map(\.remaining) == [41, 0, 7])
        #expect(figures.map(\.limit) == [60, 60, nil])
        #expect(figures.map(\.token) == [Fixtures.alpha, Fixtures.alpha, Fixtures.beta])
        #expect(figures[1].time == Fixtures.start.addingTimeInterval(1))
        let tokens = try reader.tokens()
        #expect(tokens.map(\.token) == [Fixtures.alpha, Fixtures.beta])
        #expect(tokens.map(\.source) == [.probe, .tap])
    }

    @Test("a real token's secret never reaches the file")
    func noSecretOnDisk() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let secretValue = "sk_live_DO_NOT_STORE_5f1c9e"
        let token = Token(label: "prod", secret: Secret(secretValue))
        let writer = try JournalWriter(path: temp.path)
        writer.append(Fixtures.record(token: token.reference, status: 401, errors: Fixtures.fieldErrors), requestBody: Data("{}".utf8))
        writer.append(Fixtures.record(token: token.reference, status: 200, limit: 60, remaining: 1))
        await writer.flush()
        await writer.close()
        for file in [temp.path, temp.path + "-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
            #expect(bytes.range(of: Data(secretValue.utf8)) == nil)
        }
        #expect(try JournalReader(path: temp.path).tokens().map(\.token) == [token.reference])
    }

    @Test("seq increases across calls, buckets, figures and tokens, and events(after:) resumes after any seq")
    func sequenceAcrossKinds() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        writer.append(Fixtures.record(status: 400, limit: 60, remaining: 30))  // token, call, figure
        writer.append(Fixtures.record(status: 200))  // bucket (at flush)
        await writer.flush()
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(20), token: Fixtures.beta, status: 503, remaining: 3))
        await writer.flush()

        let reader = try JournalReader(path: temp.path)
        let events = try reader.events(after: 0)
        let seqs = events.map(\.seq)
        #expect(seqs == seqs.sorted())
        #expect(Set(seqs).count == seqs.count)
        #expect(events.map(\.kind) == ["token", "call", "figure", "call", "token", "call", "figure"])
        if case .bucket(let bucket) = events[3] { #expect(bucket.count == 1) } else { Issue.record("4th event is not the bucket") }

        // Resuming after the fourth event gives exactly the rest, in order.
        let rest = try reader.events(after: seqs[3])
        #expect(rest == Array(events.dropFirst(4)))
        #expect(try reader.events(after: seqs[3], limit: 2) == Array(events.dropFirst(4).prefix(2)))
        #expect(try reader.events(after: seqs.last!).isEmpty)

        // A restarted writer continues the sequence; it never reuses a number.
        await writer.close()
        let again = try JournalWriter(path: temp.path)
        again.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(30), status: 500))
        await again.flush()
        await again.close()
        let newest = try reader.events(after: seqs.last!)
        #expect(newest.count == 1)
        #expect(newest.first.map { $0.seq > seqs.last! } == true)
    }
}
