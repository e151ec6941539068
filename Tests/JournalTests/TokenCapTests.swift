import Foundation
import Monitor
import Testing
import TestSupport
@testable import Journal
import ManagementAPI

@Suite("Journal: tokens past the cap fold into one \"other\" token")
struct TokenCapTests {
    static let count = 100_000

    /// Half 401s (a bogus token's answer, with its figure), half 2xx; one token each, or all one.
    static func append(_ writer: JournalWriter, distinctTokens: Bool) {
        let unauthorized = [ErrorEntry(code: "unauthorized", description: "The provided authentication credentials are invalid.")]
        for index in 0..<count {
            let fingerprint = Fingerprint(hex: distinctTokens ? String(format: "%08x", index) : "0000beef")
            let token = TokenReference(fingerprint: fingerprint, label: nil)
            let failed = index.isMultiple(of: 2)
            writer.append(
                Fixtures.record(
                    at: Fixtures.start.addingTimeInterval(Double(index) / 100), token: token, status: failed ? 401 : 200,
                    limit: 60, remaining: 59, errors: failed ? unauthorized : []))
        }
    }

    @Test("100 000 distinct bogus tokens: at most cap + 1 token rows and entries in memory, every call counted, size as for one token")
    func hundredThousandBogusTokens() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        // Seconds of CPU, off the two cooperative threads the rest of the run shares.
        await Blocking.run { Self.append(writer, distinctTokens: true) }
        await writer.flush()
        let cap = TokenDirectory.defaultCap
        #expect(writer.health.droppedRecords == 0)
        #expect(await writer.store.tokensInMemory == cap + 1)

        let reader = try JournalReader(path: temp.path)
        let tokens = try reader.tokens()
        #expect(tokens.count == cap + 1)
        #expect(tokens.last?.token == TokenReference.other)
        #expect(Set(tokens.map(\.token.fingerprint)).count == tokens.count)
        let (failed, buckets) = try await Blocking.run {
            (try reader.failedCalls(from: .distantPast, to: .distantFuture), try reader.buckets(from: .distantPast, to: .distantFuture))
        }
        #expect(failed.count + buckets.reduce(0) { $0 + $1.count } == Self.count)
        // Calls past the first thousand tokens are all under "other"; its buckets hold no
        // figure (many tokens' figures would speak for none), its failed calls keep theirs.
        #expect(failed.filter { $0.record.token == .other }.count == (Self.count - cap) / 2)
        #expect(buckets.filter { $0.token == .other }.reduce(0) { $0 + $1.count } == (Self.count - cap) / 2)
        #expect(buckets.filter { $0.token == .other }.allSatisfy { $0.figure == nil })
        await writer.close()

        // The same calls from one token: the bogus tokens cost no more than a few kilobytes.
        let single = try TemporaryJournal()
        defer { single.cleanUp() }
        let reference = try JournalWriter(path: single.path)
        await Blocking.run { Self.append(reference, distinctTokens: false) }
        await reference.close()
        #expect(writer.fileSize < reference.fileSize + 256 * 1024, "\(writer.fileSize) vs \(reference.fileSize) bytes")
    }

    @Test("past the cap, a labeled token still gets its own row, and a reopened writer keeps folding")
    func labeledTokensAndRestart() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        var options = JournalWriter.Options()
        options.tokenCap = 3
        let writer = try JournalWriter(path: temp.path, options: options)
        for index in 0..<5 {
            writer.append(
                Fixtures.record(
                    at: Fixtures.start.addingTimeInterval(Double(index)),
                    token: TokenReference(fingerprint: Fingerprint(hex: "0000000\(index)"), label: nil), status: 500))
        }
        writer.append(Fixtures.record(at: Fixtures.start.addingTimeInterval(10), token: Fixtures.alpha, status: 500))
        await writer.close()
        let reader = try JournalReader(path: temp.path)
        #expect(try reader.tokens().map(\.token.displayName) == ["#00000000", "#00000001", "#00000002", "other", "alpha"])

        let again = try JournalWriter(path: temp.path, options: options)
        again.append(
            Fixtures.record(
                at: Fixtures.start.addingTimeInterval(20), token: TokenReference(fingerprint: Fingerprint(hex: "00000009"), label: nil),
                status: 500))
        await again.close()
        #expect(try reader.tokens().count == 5)
        let calls = try reader.failedCalls(from: .distantPast, to: .distantFuture)
        #expect(calls.map(\.record.token.displayName) == ["#00000000", "#00000001", "#00000002", "other", "other", "alpha", "other"])
    }
}
