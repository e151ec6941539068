import Foundation
import ManagementAPI
import Testing

@Suite("Pacing: budget and 429 backoff")
struct PacingTests {
    let start = ContinuousClock.now

    @Test("a budget of 2 per minute allows two calls, then waits for the oldest to age out")
    func budgetSlides() {
        var budget = CallBudget(perMinute: 2)
        #expect(budget.allows(now: start))
        budget.recordCall(at: start)
        budget.recordCall(at: start.adding(seconds: 10))
        #expect(!budget.allows(now: start.adding(seconds: 20)))
        #expect(budget.nextAllowed(now: start.adding(seconds: 20)) == start.adding(seconds: 60))
        // Exactly 60 s old: out of the window.
        #expect(budget.allows(now: start.adding(seconds: 60)))
        #expect(budget.used(now: start.adding(seconds: 59.999)) == 2)
        #expect(budget.used(now: start.adding(seconds: 60)) == 1)
    }

    @Test("out-of-order calls are counted where they belong")
    func outOfOrder() {
        var budget = CallBudget(perMinute: 3)
        budget.recordCall(at: start.adding(seconds: 30))
        budget.recordCall(at: start)
        budget.recordCall(at: start.adding(seconds: 10))
        #expect(budget.nextAllowed(now: start.adding(seconds: 31)) == start.adding(seconds: 60))
    }

    @Test("a budget never lets more than perMinute calls into any 60 s window over an hour")
    func budgetHoldsOverAnHour() {
        let clock = ManualMonotonicClock(start)
        var budget = CallBudget(perMinute: 6)
        var calls: [ContinuousClock.Instant] = []
        while clock.instant() < start.adding(seconds: 3_600) {
            if budget.allows(now: clock.instant()) {
                budget.recordCall(at: clock.instant())
                calls.append(clock.instant())
            }
            clock.advance(by: 0.25)
        }
        for call in calls {
            let inWindow = calls.count { $0 >= call && $0 < call.adding(seconds: 60) }
            #expect(inWindow <= 6)
        }
        #expect(calls.count == 360)
    }

    func record(_ status: Int, remaining: Int?) -> CallRecord {
        CallRecord(time: Date(timeIntervalSince1970: 1_800_000_000), token: Token(label: "t", secret: Secret("s")).reference,
                   method: "GET", path: "/v2/webhooks/", outcome: .status(status), latency: .milliseconds(5),
                   rate: RateHeaders(limit: 60, remaining: remaining, requestID: nil), errors: [], source: .probe)
    }

    @Test("after a 429 the token waits out 60 s")
    func backoffWaits() {
        var pacer = TokenPacer(perMinute: 6)
        pacer.recordCall(at: start)
        pacer.observe(record(429, remaining: 0), at: start)
        #expect(pacer.nextAllowed(now: start.adding(seconds: 1)) == start.adding(seconds: 60))
        #expect(pacer.backoff.isBlocked(now: start.adding(seconds: 59.9)))
        #expect(!pacer.backoff.isBlocked(now: start.adding(seconds: 60)))
    }

    @Test("a later answer with room again lifts the backoff early; zero or unknown does not")
    func backoffLifts() {
        var backoff = RateLimitBackoff()
        backoff.observe(outcome: .status(429), rate: .unknown, at: start)
        backoff.observe(outcome: .status(200), rate: RateHeaders(limit: 60, remaining: 0, requestID: nil), at: start.adding(seconds: 5))
        #expect(backoff.isBlocked(now: start.adding(seconds: 6)))
        backoff.observe(outcome: .status(200), rate: .unknown, at: start.adding(seconds: 7))
        #expect(backoff.isBlocked(now: start.adding(seconds: 8)))
        // An answer older than the 429 says nothing about now.
        backoff.observe(outcome: .status(200), rate: RateHeaders(limit: 60, remaining: 9, requestID: nil), at: start.adding(seconds: -1))
        #expect(backoff.isBlocked(now: start.adding(seconds: 8)))
        backoff.observe(outcome: .status(200), rate: RateHeaders(limit: 60, remaining: 3, requestID: nil), at: start.adding(seconds: 9))
        #expect(!backoff.isBlocked(now: start.adding(seconds: 10)))
    }

    @Test("a second 429 restarts the wait; an older one does not")
    func backoffRestarts() {
        var backoff = RateLimitBackoff()
        backoff.observe(outcome: .status(429), rate: .unknown, at: start)
        backoff.observe(outcome: .status(429), rate: .unknown, at: start.adding(seconds: 30))
        #expect(backoff.blockedUntil() == start.adding(seconds: 90))
        backoff.observe(outcome: .status(429), rate: .unknown, at: start.adding(seconds: 10))
        #expect(backoff.blockedUntil() == start.adding(seconds: 90))
        #expect(RateLimitBackoff().blockedUntil() == nil)
    }
}
