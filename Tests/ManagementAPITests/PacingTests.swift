import Foundation
import ManagementAPI
import Testing

@Suite("Pacing: budget and 429 backoff")
struct PacingTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a budget of 2 per minute allows two calls, then waits for the oldest to age out")
    func budgetSlides() {
        var budget = CallBudget(perMinute: 2)
        #expect(budget.allows(now: start))
        budget.recordCall(at: start)
        budget.recordCall(at: start.addingTimeInterval(10))
        #expect(!budget.allows(now: start.addingTimeInterval(20)))
        #expect(budget.nextAllowed(now: start.addingTimeInterval(20)) == start.addingTimeInterval(60))
        // Exactly 60 s old: out of the window.
        #expect(budget.allows(now: start.addingTimeInterval(60)))
        #expect(budget.used(now: start.addingTimeInterval(59.999)) == 2)
        #expect(budget.used(now: start.addingTimeInterval(60)) == 1)
    }

    @Test("out-of-order calls are counted where they belong")
    func outOfOrder() {
        var budget = CallBudget(perMinute: 3)
        budget.recordCall(at: start.addingTimeInterval(30))
        budget.recordCall(at: start)
        budget.recordCall(at: start.addingTimeInterval(10))
        #expect(budget.nextAllowed(now: start.addingTimeInterval(31)) == start.addingTimeInterval(60))
    }

    @Test("a budget never lets more than perMinute calls into any 60 s window over an hour")
    func budgetHoldsOverAnHour() {
        let clock = ManualClock(start)
        var budget = CallBudget(perMinute: 6)
        var calls: [Date] = []
        while clock.now() < start.addingTimeInterval(3_600) {
            if budget.allows(now: clock.now()) {
                budget.recordCall(at: clock.now())
                calls.append(clock.now())
            }
            clock.advance(by: 0.25)
        }
        for call in calls {
            let inWindow = calls.count { $0 >= call && $0 < call.addingTimeInterval(60) }
            #expect(inWindow <= 6)
        }
        #expect(calls.count == 360)
    }

    func record(_ status: Int, remaining: Int?, at offset: TimeInterval) -> CallRecord {
        CallRecord(time: start.addingTimeInterval(offset), token: Token(label: "t", secret: Secret("s")).reference,
                   method: "GET", path: "/v2/webhooks/", outcome: .status(status), latency: .milliseconds(5),
                   rate: RateHeaders(limit: 60, remaining: remaining, requestID: nil), errors: [], source: .probe)
    }

    @Test("after a 429 the token waits out 60 s")
    func backoffWaits() {
        var pacer = TokenPacer(perMinute: 6)
        pacer.recordCall(at: start)
        pacer.observe(record(429, remaining: 0, at: 0))
        #expect(pacer.nextAllowed(now: start.addingTimeInterval(1)) == start.addingTimeInterval(60))
        #expect(pacer.backoff.isBlocked(now: start.addingTimeInterval(59.9)))
        #expect(!pacer.backoff.isBlocked(now: start.addingTimeInterval(60)))
    }

    @Test("a later answer with room again lifts the backoff early; zero or unknown does not")
    func backoffLifts() {
        var backoff = RateLimitBackoff()
        backoff.observe(outcome: .status(429), rate: .unknown, at: start)
        backoff.observe(outcome: .status(200), rate: RateHeaders(limit: 60, remaining: 0, requestID: nil), at: start.addingTimeInterval(5))
        #expect(backoff.isBlocked(now: start.addingTimeInterval(6)))
        backoff.observe(outcome: .status(200), rate: .unknown, at: start.addingTimeInterval(7))
        #expect(backoff.isBlocked(now: start.addingTimeInterval(8)))
        // An answer older than the 429 says nothing about now.
        backoff.observe(outcome: .status(200), rate: RateHeaders(limit: 60, remaining: 9, requestID: nil), at: start.addingTimeInterval(-1))
        #expect(backoff.isBlocked(now: start.addingTimeInterval(8)))
        backoff.observe(outcome: .status(200), rate: RateHeaders(limit: 60, remaining: 3, requestID: nil), at: start.addingTimeInterval(9))
        #expect(!backoff.isBlocked(now: start.addingTimeInterval(10)))
    }

    @Test("a second 429 restarts the wait; an older one does not")
    func backoffRestarts() {
        var backoff = RateLimitBackoff()
        backoff.observe(outcome: .status(429), rate: .unknown, at: start)
        backoff.observe(outcome: .status(429), rate: .unknown, at: start.addingTimeInterval(30))
        #expect(backoff.blockedUntil() == start.addingTimeInterval(90))
        backoff.observe(outcome: .status(429), rate: .unknown, at: start.addingTimeInterval(10))
        #expect(backoff.blockedUntil() == start.addingTimeInterval(90))
        #expect(RateLimitBackoff().blockedUntil() == nil)
    }
}
