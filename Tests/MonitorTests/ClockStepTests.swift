import Foundation
import ManagementAPI
import Testing
@testable import Monitor

@Suite("A wall clock stepped back")
struct ClockStepTests {
    @Test("a call stamped an hour before the newest one seen still counts in the error tree")
    func earlierRecordCounts() throws {
        var core = MonitorCore()
        core.ingest(Records.badRequest(at: 0))
        // The source's clock stepped back an hour; its next call is stamped accordingly.
        core.ingest(Records.badRequest(at: -3_600))
        let snapshot = core.snapshot(now: Records.at(-3_595))
        let group = try #require(snapshot.summary(of: .clientError)?.groups.first)
        #expect(group.occurrences.map(\.record.time).contains(Records.at(-3_600)))
        #expect(group.count == 2)
        #expect(snapshot.summary(of: .clientError)?.count == 2)
    }

    @Test("with the production clock (anchored wall time), an hour's step back loses no count and no time goes back")
    func monitorOnAnchoredClock() throws {
        let wall = ManualClock(Records.start)
        let monotonic = ManualMonotonicClock()
        let clock = AnchoredClock(wall: wall, monotonic: monotonic)
        let monitor = Monitor(clock: clock)
        monitor.register(Records.ingest)
        func call(_ status: Int) -> CallRecord {
            CallRecord(time: clock.now(), token: Records.ingest, method: "GET", path: "/v2/webhooks/", outcome: .status(status),
                       latency: .milliseconds(4), rate: RateHeaders(limit: 60, remaining: 30, requestID: nil),
                       errors: status == 200 ? [] : [ErrorEntry(code: "rate_limit_exceeded", description: "limited")], source: .tap)
        }
        monitor.ingest(call(429))
        monitor.ingest(call(200))
        let before = monitor.snapshot()
        monotonic.advance(by: 5)
        wall.advance(by: 5 - 3_600)
        monitor.ingest(call(429))
        let after = monitor.snapshot()
        #expect(after.time == before.time.addingTimeInterval(5))
        let row = try #require(after.tokens.first)
        #expect(row.callsInWindow == 3)
        #expect(row.limitedInWindow == 2)
        #expect(row.ageSeconds == 0)
        #expect(after.summary(of: .clientError)?.count == 2)
        #expect(row.sparkline.reduce(0, +) == 3)
    }
}
