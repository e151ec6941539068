import Foundation
import ManagementAPI
import Testing
@testable import Collectors

@Suite("The probe schedule over simulated time")
struct ProbeScheduleTests {
    let start = ContinuousClock.now
    let wall = Date(timeIntervalSince1970: 1_800_000_000)
    let tokens = (0..<4).map { Secret("token-\($0)").fingerprint }

    /// A record stamped with wall time; the schedule is told when it arrived, separately.
    func record(_ fingerprint: Fingerprint, _ outcome: CallOutcome, remaining: Int? = 30,
                source: CallSource = .probe) -> CallRecord
    {
        CallRecord(time: wall, token: TokenReference(fingerprint: fingerprint, label: nil), method: "GET", path: "/v2/webhooks/",
                   outcome: outcome, latency: .milliseconds(5), rate: RateHeaders(limit: 60, remaining: remaining, requestID: nil),
                   errors: [], source: source)
    }

    @Test("over a simulated hour no token is probed more than perMinute times in any 60 s, whatever the answers",
          arguments: [1, 2, 6])
    func budgetHolds(perMinute: Int) {
        var schedule = ProbeSchedule(tokens: tokens, perMinute: perMinute, start: start, seed: 9)
        var calls: [Fingerprint: [MonotonicInstant]] = [:]
        var now = start
        var step = 0
        let outcomes: [CallOutcome] = [.status(200), .status(200), .status(429), .status(401), .transport(.refused), .status(500)]
        while now < start.adding(seconds: 3_600) {
            for fingerprint in schedule.takeDue(now: now) {
                calls[fingerprint, default: []].append(now)
                step += 1
                schedule.observe(record(fingerprint, outcomes[step % outcomes.count]), at: now)
            }
            // The tap keeps reporting successes with room, which may lift a 429 early.
            schedule.observe(record(tokens[step % tokens.count], .status(200), remaining: 10, source: .tap), at: now)
            now = now.adding(seconds: 0.5)
        }
        #expect(calls.values.reduce(0) { $0 + $1.count } > 0)
        for (_, times) in calls {
            for time in times {
                #expect(times.count { $0 >= time && $0 < time.adding(seconds: 60) } <= perMinute)
            }
        }
    }

    @Test("with only good answers each token is probed about perMinute times a minute, spread apart")
    func steadyRate() {
        var schedule = ProbeSchedule(tokens: tokens, perMinute: 2, start: start)
        var calls: [MonotonicInstant] = []
        var now = start
        while now < start.adding(seconds: 600) {
            for fingerprint in schedule.takeDue(now: now) {
                calls.append(now)
                schedule.observe(record(fingerprint, .status(200)), at: now)
            }
            now = now.adding(seconds: 0.25)
        }
        #expect((72...80).contains(calls.count))
        // The first round is spread over the first interval, not fired at once.
        #expect(Set(calls.prefix(4)).count == 4)
    }

    @Test("after a 429 the token waits 60 s; after a 401 five minutes; transport failures back off to 60 s")
    func statesMoveTheSchedule() throws {
        var schedule = ProbeSchedule(tokens: [tokens[0]], perMinute: 6, start: start)
        #expect(schedule.takeDue(now: start) == [tokens[0]])
        schedule.observe(record(tokens[0], .status(429), remaining: 0), at: start)
        #expect(try #require(schedule.nextDue()) >= start.adding(seconds: 60))
        #expect(schedule.takeDue(now: start.adding(seconds: 59)).isEmpty)
        #expect(schedule.takeDue(now: start.adding(seconds: 60)) == [tokens[0]])

        let later = start.adding(seconds: 60)
        schedule.observe(record(tokens[0], .status(401), remaining: nil), at: later)
        #expect(schedule.entry(for: tokens[0])?.unauthorized == true)
        #expect(schedule.nextDue() == later.adding(seconds: 300))

        var failing = ProbeSchedule(tokens: [tokens[1]], perMinute: 6, start: start)
        var now = start
        var gaps: [TimeInterval] = []
        for _ in 0..<8 {
            _ = failing.takeDue(now: now)
            failing.observe(record(tokens[1], .transport(.refused), remaining: nil), at: now)
            let next = try #require(failing.nextDue())
            gaps.append(next.seconds(since: now))
            now = next
        }
        #expect(gaps == [2, 4, 8, 16, 32, 60, 60, 60])
        failing.observe(record(tokens[1], .status(200)), at: now)
        #expect(failing.entry(for: tokens[1])?.transportFailures == 0)
    }

    @Test("a 429 seen by the tap pauses probes of that token too")
    func tapLimits() throws {
        var schedule = ProbeSchedule(tokens: [tokens[0]], perMinute: 2, start: start)
        schedule.observe(record(tokens[0], .status(429), remaining: 0, source: .tap), at: start)
        #expect(schedule.takeDue(now: start).isEmpty)
        #expect(try #require(schedule.nextDue()) >= start.adding(seconds: 60))
    }
}
