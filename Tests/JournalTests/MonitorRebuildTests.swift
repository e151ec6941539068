import Feed
import Foundation
import Monitor
import Testing
@testable import Journal
import ManagementAPI

/// Twenty minutes written through the writer with an injected clock, then rebuilt at fixed
/// moments and compared with what the dashboard's frames show: USED, 429s, errors.
@Suite("Journal: a Monitor rebuilt for any moment")
struct MonitorRebuildTests {
    static func at(_ seconds: Double) -> Date { Fixtures.start.addingTimeInterval(seconds) }

    /// alpha: a call every second with its figure (limit 60, remaining 59 − k mod 60), 2xx but
    /// a 500 at 100 s, 400s with field errors at 300 s and 650 s, 429s (remaining 0) at 700–704 s.
    /// beta: a probe every 30 s at +0.5 s (remaining 50), the one at 690.5 s a 401.
    static let scene: [CallRecord] = {
        var records: [CallRecord] = []
        for second in 0..<1_200 {
            let remaining = 59 - second % 60
            let (status, errors): (Int, [ErrorEntry]) = switch second {
            case 100: (500, [ErrorEntry(code: "internal_server_error", description: "An unexpected internal server error occurred.")])
            case 300, 650: (400, Fixtures.fieldErrors)
            case 700..<705: (429, [ErrorEntry(code: "rate_limit_exceeded", description: "The rate limit has been exceeded.")])
            default: (200, [])
            }
            records.append(
                Fixtures.record(
                    at: at(Double(second)), method: status == 400 ? "POST" : "GET", status: status, limit: 60,
                    remaining: status == 429 ? 0 : remaining, errors: errors))
            if second % 30 == 0 {
                let unauthorized = second == 690
                records.append(
                    Fixtures.record(
                        at: at(Double(second) + 0.5), token: Fixtures.beta, path: "/v2/webhooks/", status: unauthorized ? 401 : 200,
                        limit: unauthorized ? nil : 60, remaining: unauthorized ? nil : 50,
                        errors: unauthorized ? [ErrorEntry(code: "unauthorized", description: "The provided authentication credentials are invalid.")] : [],
                        source: .probe))
            }
        }
        return records
    }()

    /// A journal of `records`, written in time order with the clock at each record's time.
    static func journal(_ records: [CallRecord], in temp: TemporaryJournal) async throws -> JournalReader {
        let clock = TestClock(records.first?.time ?? Fixtures.start)
        var options = JournalWriter.Options()
        options.now = { clock.now }
        let writer = try JournalWriter(path: temp.path, options: options)
        for record in records {
            clock.now = record.time
            writer.append(record)
        }
        await writer.close()
        #expect(writer.health.droppedRecords == 0)
        return try JournalReader(path: temp.path)
    }

    static func row(_ snapshot: Snapshot, _ token: TokenReference) throws -> TokenRow {
        try #require(snapshot.tokens.first { $0.reference == token })
    }

    /// Moments whose last 10 s hold only steady 2xx traffic, where spreading a bucket's calls
    /// over its window gives back their exact times (and so the forecast's last-10-s count).
    @Test("at 10-s boundaries the rebuilt monitor's snapshot equals a live monitor's that saw every call before it",
          arguments: [320.0, 600, 720, 900, 1_200])
    func equalsLiveAtBoundaries(moment: Double) async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let reader = try await Self.journal(Self.scene, in: temp)
        let time = Self.at(moment)
        var live = MonitorCore()
        for record in Self.scene where record.time < time { live.ingest(record) }
        let rebuilt = try reader.rebuildMonitor(at: time)
        #expect(rebuilt.snapshot(now: time) == live.snapshot(now: time))
    }

    @Test("between boundaries: USED from the newest figure then, 429s and errors of the last minute, the error tree of 15 minutes")
    func betweenBoundaries() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let reader = try await Self.journal(Self.scene, in: temp)

        // 710.5 s: the window [710, 720) has not ended, so the 2xx at 710 s is not seen yet;
        // the newest figure is the bucket [700, 710)'s, at 709 s: remaining 10, USED 50.
        let moment = Self.at(710.5)
        let snapshot = try reader.rebuildMonitor(at: moment).snapshot(now: moment)
        let alpha = try Self.row(snapshot, Fixtures.alpha)
        #expect(alpha.usageSource == .server)
        #expect(alpha.used == 50)
        #expect(alpha.remaining == 10)
        #expect(alpha.limitedInWindow == 5)
        #expect(alpha.errorsInWindow == 5)  // the 400 at 650 s is 60.5 s old
        #expect(alpha.state == .limited)
        let beta = try Self.row(snapshot, Fixtures.beta)
        #expect(beta.state == .unauthorized)  // its last probe, at 690.5 s, was a 401
        #expect(beta.used == 10)  // the probe at 660.5 s said remaining 50; the 401 said nothing
        // 15 minutes back reaches the start: 5 × 429, 2 × 400, one 401; one 500.
        #expect(snapshot.summary(of: .clientError)?.count == 8)
        #expect(snapshot.summary(of: .serverError)?.count == 1)
        let tooLong = snapshot.summary(of: .clientError)?.groups.first { $0.key.status == 429 }
        #expect(tooLong?.count == 5)

        // 704.5 s: the 429 at 704 s (remaining 0) is newer than the bucket [690, 700)'s figure.
        let earlier = Self.at(704.5)
        let limited = try Self.row(try reader.rebuildMonitor(at: earlier).snapshot(now: earlier), Fixtures.alpha)
        #expect(limited.used == 60)
        #expect(limited.limitedInWindow == 5)

        // 731 s: beta's 200 probe at 720.5 s is in an ended window: no longer unauthorized.
        let later = Self.at(731)
        #expect(try Self.row(try reader.rebuildMonitor(at: later).snapshot(now: later), Fixtures.beta).state != .unauthorized)
    }

    @Test("rows written after the moment change nothing", arguments: [710.5, 720.0, 1_000.25])
    func laterRowsChangeNothing(moment: Double) async throws {
        let time = Self.at(moment)
        let whole = try TemporaryJournal()
        let cut = try TemporaryJournal()
        defer {
            whole.cleanUp()
            cut.cleanUp()
        }
        let all = try await Self.journal(Self.scene, in: whole)
        let upToMoment = try await Self.journal(Self.scene.filter { $0.time <= time }, in: cut)
        #expect(try all.rebuildMonitor(at: time).snapshot(now: time) == upToMoment.rebuildMonitor(at: time).snapshot(now: time))
    }

    @Test("the span bounds what is loaded; tokens past the cap show as one \"other\" row without a server figure")
    func spanAndOther() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        var options = JournalWriter.Options()
        options.tokenCap = 0
        let writer = try JournalWriter(path: temp.path, options: options)
        for index in 0..<30 {
            let bogus = TokenReference(fingerprint: Fingerprint(hex: String(format: "%08x", index)), label: nil)
            writer.append(Fixtures.record(at: Self.at(Double(index)), token: bogus, status: index < 20 ? 200 : 401, limit: 60, remaining: 3))
        }
        await writer.close()
        let reader = try JournalReader(path: temp.path)
        let moment = Self.at(30)
        let snapshot = try reader.rebuildMonitor(at: moment).snapshot(now: moment)
        #expect(snapshot.tokens.map(\.reference) == [.other])
        #expect(snapshot.tokens.first?.usageSource == .seen)
        #expect(snapshot.tokens.first?.callsInWindow == 30)
        // A span of 20 s loads the 401s after 10 s and the windows starting at or after 10 s.
        let short = try reader.rebuildMonitor(at: moment, span: 20).snapshot(now: moment)
        #expect(short.tokens.first?.totalCalls == 20)
    }
}
