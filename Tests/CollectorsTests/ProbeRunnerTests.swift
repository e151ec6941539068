import Foundation
import ManagementAPI
import Synchronization
import Testing
import TestSupport
@testable import Collectors

/// Virtual time for the runner: a monotonic clock the sleeper moves, and a wall clock that
/// moves with it until a test steps it on its own (as NTP would).
final class SteppingTime: Sleeper, @unchecked Sendable {
    let monotonic = ManualMonotonicClock()
    let wall = ManualClock()
    /// The production arrangement: records stamped with anchored wall time.
    let stamps: AnchoredClock
    /// Set once, before the runner starts: where the wall steps back an hour, and where the
    /// run ends (the test is woken there, and the runner sleeps until it is cancelled).
    private var stepBackAt: MonotonicInstant?
    private var end: MonotonicInstant?
    private let reachedEnd = Gate()
    private let stepped = Mutex(false)

    init() { stamps = AnchoredClock(wall: wall, monotonic: monotonic) }

    /// Plans a run: the wall is stepped back an hour at `stepBackAt`, and `untilEnd()` returns
    /// once the runner asks to sleep past `end`.
    func plan(stepBackAt: MonotonicInstant, end: MonotonicInstant) {
        self.stepBackAt = stepBackAt
        self.end = end
    }

    /// Returns once the runner asked to sleep past the planned end.
    func untilEnd() async { await reachedEnd.wait() }

    func sleep(until deadline: MonotonicInstant) async throws {
        try Task.checkCancellation()
        if let end, deadline >= end {
            reachedEnd.open()
            // Virtual time stops here: the runner waits for its cancellation.
            try await Task.sleep(for: .seconds(86_400))
        }
        let step = deadline.seconds(since: monotonic.instant())
        if step > 0 {
            monotonic.advance(to: deadline)
            wall.advance(by: step)
        }
        if let stepBackAt, monotonic.instant() >= stepBackAt, stepped.withLock({ stepped in defer { stepped = true }; return !stepped }) {
            wall.advance(by: -3_600)
        }
        await Task.yield()
    }
}

@Suite("The probe runner")
struct ProbeRunnerTests {
    let token = Token(label: "ops", secret: Secret("runner-secret-42"))

    func answer(_ token: Token, at time: Date) -> CallRecord {
        CallRecord(time: time, token: token.reference, method: "GET", path: "/v2/webhooks/", outcome: .status(200),
                   latency: .milliseconds(3), rate: RateHeaders(limit: 60, remaining: 50, requestID: nil), errors: [], source: .probe)
    }

    @Test("with no targets, run() stays up until it is cancelled (a returning service stops the whole group)")
    func idleRunnerWaitsForCancellation() async {
        let runner = ProbeRunner(targets: [], perMinute: 2, perform: { _ in fatalError("nothing to probe") }, sink: { _ in })
        let first = await withTaskGroup(of: String.self) { group in
            group.addTask {
                await runner.run()
                return "run returned"
            }
            // A deadline for the runner to return on its own; it must not.
            group.addTask {
                try? await Task.sleep(for: .milliseconds(300))
                return "deadline"
            }
            let first = await group.next()
            group.cancelAll()
            // Cancelled, the runner returns: the group can end.
            await group.waitForAll()
            return first
        }
        #expect(first == "deadline")
    }

    @Test("an idle runner returns when cancelled, not after its day-long sleep")
    func idleRunnerStopsOnCancel() async throws {
        let runner = ProbeRunner(targets: [], perMinute: 2, perform: { _ in fatalError("nothing to probe") }, sink: { _ in })
        let task = Task { await runner.run() }
        task.cancel()
        // The bound only ends a hang: a runner deaf to cancellation would sleep for a day.
        #expect(try await finishes { await task.value })
    }

    /// Runs the runner over `minutes` of virtual time, stepping the wall back by an hour
    /// half way; returns the probe times (monotonic seconds from start) and their stamps.
    func runThroughABackwardStep(time: SteppingTime, pacing clock: any MonotonicClock, minutes: Double) async
        -> (offsets: [TimeInterval], stamps: [Date])
    {
        let start = time.monotonic.instant()
        let seen = Mutex<[(TimeInterval, Date)]>([])
        let stamps = time.stamps
        let runner = ProbeRunner(
            targets: [ProbeTarget(token: token, request: .listWebhooks())], perMinute: 6, clock: clock, sleeper: time,
            perform: { target in answer(target.token, at: stamps.now()) },
            sink: { record in seen.withLock { $0.append((time.monotonic.instant().seconds(since: start), record.time)) } })
        time.plan(stepBackAt: start.adding(seconds: minutes * 30), end: start.adding(seconds: minutes * 60))
        let task = Task { await runner.run() }
        // Each sleep of the runner moves virtual time; the test waits for the planned end
        // instead of spinning beside it (a spin holds one of the cooperative pool's threads).
        let ended = try? await finishes { await time.untilEnd() }
        #expect(ended == true, "the runner never reached the end of the planned run")
        task.cancel()
        await task.value
        let values = seen.withLock { $0 }
        return (values.map(\.0), values.map(\.1))
    }

    @Test("a wall clock stepped back an hour neither stalls probes nor makes record times go back")
    func backwardWallStep() async throws {
        let time = SteppingTime()
        let (offsets, stamps) = await runThroughABackwardStep(time: time, pacing: time.monotonic, minutes: 20)
        let firstHalf = offsets.count { $0 < 600 }
        let secondHalf = offsets.count { $0 >= 600 && $0 < 1_200 }
        // 6 a minute with ±10% jitter: 60 or so in each 10 minutes, before and after the step.
        #expect((50...67).contains(firstHalf), "\(firstHalf) probes before the step")
        #expect((50...67).contains(secondHalf), "\(secondHalf) probes after the step")
        #expect(zip(stamps, stamps.dropFirst()).allSatisfy { $0 <= $1 }, "a record time went back")
    }

    @Test("the anchored clock absorbs a backward step and follows a forward one")
    func anchoredClock() {
        let wall = ManualClock()
        let monotonic = ManualMonotonicClock()
        let clock = AnchoredClock(wall: wall, monotonic: monotonic)
        let start = clock.now()
        monotonic.advance(by: 10)
        wall.advance(by: 10 - 3_600)
        #expect(clock.now() == start.addingTimeInterval(10))
        monotonic.advance(by: 5)
        wall.advance(by: 5)
        #expect(clock.now() == start.addingTimeInterval(15))
        // Set forward (say, the clock was wrong at boot): followed at once.
        wall.advance(by: 7_200)
        #expect(clock.now() == wall.now())
    }
}
