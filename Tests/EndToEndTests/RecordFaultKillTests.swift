import Foundation
import Hummingbird
import HummingbirdTesting
import NIOHTTP1
import Simulator
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `mapitop record` killed with SIGKILL while jobs keep calling through its tap: the journal
/// commits every 250 ms, so what was answered well before the kill must survive it.
@Suite("mapitop record killed -9 mid-traffic")
struct RecordFaultKillTests {
    static let job = SimulatedToken(label: "job", secret: "record-fault-kill-secret-5521")

    /// One answered call as the job saw it, in wall-clock time (bucket windows follow the wall clock).
    struct Answered: Sendable {
        let status: Int
        let sent: Date
        let answered: Date
    }

    actor Log {
        private(set) var answered: [Answered] = []
        private(set) var stopped = false
        /// Calls that got no answer at all (the tap was gone).
        private(set) var unanswered = 0
        func add(_ call: Answered) { answered.append(call) }
        func addUnanswered() { unanswered += 1 }
        func stop() { stopped = true }
    }

    @Test("after kill -9 and a restart, every 400 and every 200 answered more than 1 s before the kill is in /v1/calls, the 200s of the window still open at the kill included")
    func killMidTraffic() async throws {
        let simulator = buildApplication(SimulatorConfiguration(port: 0, seed: 9, tokens: [Self.job], quotaPerMinute: 1_000_000))
        try await simulator.test(.live) { server in
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let arguments = ["--api-base", "http://127.0.0.1:\(server.port!)"]
            let recorder = try await RecorderProcess.start(home: home, tap: true, arguments: arguments)
            let tap = try #require(recorder.tapBase)
            let log = Log()

            // Four jobs, each alternating a success and a 400, until told to stop; calls that
            // fail at the transport (the recorder is dead) are not answers and are not noted.
            let jobs = Task {
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            var even = true
                            while await !log.stopped {
                                let sent = Date()
                                let answer = even
                                    ? try? await RecordClient.call(tap + "/v2/webhooks/", secret: Self.job.secret, timeout: .seconds(5))
                                    : try? await RecordClient.call(tap + "/v2/sites/Abcd1234/media/", method: .POST, secret: Self.job.secret,
                                                                   body: RecordLoopbackTests.invalidMedia, timeout: .seconds(5))
                                if let answer { await log.add(Answered(status: answer.status, sent: sent, answered: Date())) }
                                even.toggle()
                                if answer == nil {
                                    await log.addUnanswered()
                                    try? await Task.sleep(for: .milliseconds(20))
                                }
                            }
                        }
                    }
                }
            }

            // Kill once jobs have been answered for a few seconds, so plenty was answered
            // more than a second before the kill, in a 10-second window still open at the kill.
            let trafficStarted = Date()
            let busy = await RecordClient.eventually(within: .seconds(30)) {
                let answered = await log.answered
                return Date().timeIntervalSince(trafficStarted) >= 3 && answered.filter { $0.status == 200 }.count > 40
            }
            #expect(busy, "the jobs got too few answers through the tap")
            let killedAt = Date()
            #expect(await recorder.kill9() == 128 + SIGKILL)
            // Traffic goes on against the dead tap for a moment, as jobs would: each job is
            // refused a few times before they stop.
            let unansweredAtKill = await log.unanswered
            #expect(await RecordClient.eventually { await log.unanswered >= unansweredAtKill + 8 })
            await log.stop()
            await jobs.value

            let answered = await log.answered
            let cutoff = killedAt.addingTimeInterval(-1)
            let failedBefore = answered.filter { $0.status == 400 && $0.answered < cutoff }.count
            let failedAll = answered.filter { $0.status == 400 }.count
            let succeededBefore = answered.filter { $0.status == 200 && $0.answered < cutoff }.count
            let succeededAll = answered.filter { $0.status == 200 }.count
            #expect(failedBefore > 10, "too little traffic to mean anything: \(failedBefore) failed calls before the kill")
            #expect(succeededBefore > 10, "too little 2xx traffic before the kill: \(succeededBefore)")

            let second = try await RecorderProcess.start(home: home, arguments: arguments)
            let calls = try await RecordClient.calls(second.adminBase, from: trafficStarted.addingTimeInterval(-20))
            let failedRecorded = RecordLoopbackTests.failed(calls, status: 400).count
            #expect(failedRecorded >= failedBefore, "\(failedBefore - failedRecorded) of \(failedBefore) failed calls answered before the kill are lost")
            #expect(failedRecorded <= failedAll, "more failed calls recorded (\(failedRecorded)) than answered (\(failedAll))")

            // Successes live only in buckets, and the newest window was still open at the kill:
            // each batch adds to its row, so none answered a second before the kill is lost.
            let bucketed = calls.filter {
                $0["type"] as? String == "bucket" && $0["source"] as? String == "tap" && $0["status"] as? Int == 200
            }.reduce(0) { $0 + (($1["count"] as? Int) ?? 0) }
            #expect(bucketed >= succeededBefore && bucketed <= succeededAll,
                    "the buckets hold \(bucketed) successes; \(succeededBefore) were answered 1 s before the kill, \(succeededAll) in all")
            #expect(await second.terminate() == 0, "stderr: \(second.stderr)")
        }
    }
}
