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
        func add(_ call: Answered) { answered.append(call) }
        func stop() { stopped = true }
    }

    @Test("after kill -9 and a restart, every 400 answered more than 1 s before the kill is in /v1/calls, and so are the 200s of a bucket closed more than 1 s before it")
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
                                if answer == nil { try? await Task.sleep(for: .milliseconds(20)) }
                            }
                        }
                    }
                }
            }

            // Kill 2 s after the first 10-second window boundary that follows the start, so
            // one whole window of 2xx traffic ended well before the kill.
            let started = Date().timeIntervalSince1970
            let boundary = (started / 10).rounded(.up) * 10
            let closedWindow = (start: Date(timeIntervalSince1970: boundary - 10), end: Date(timeIntervalSince1970: boundary))
            let reached = await RecordClient.eventually(within: .seconds(20)) { Date().timeIntervalSince1970 >= boundary + 2 }
            #expect(reached)
            let killedAt = Date()
            #expect(await recorder.kill9() == 128 + SIGKILL)
            // Traffic goes on against the dead tap for a moment, as jobs would.
            _ = await RecordClient.eventually(within: .milliseconds(300)) { false }
            await log.stop()
            await jobs.value

            let answered = await log.answered
            let cutoff = killedAt.addingTimeInterval(-1)
            let failedBefore = answered.filter { $0.status == 400 && $0.answered < cutoff }.count
            let failedAll = answered.filter { $0.status == 400 }.count
            // The 200s certainly inside the closed window (sent and answered within it), and all
            // that may have been counted there (answered after its start, sent before its end).
            let surelyInWindow = answered.filter {
                $0.status == 200 && $0.sent >= closedWindow.start && $0.answered < closedWindow.end
            }.count
            let possiblyInWindow = answered.filter {
                $0.status == 200 && $0.answered >= closedWindow.start && $0.sent < closedWindow.end
            }.count
            #expect(failedBefore > 10, "too little traffic to mean anything: \(failedBefore) failed calls before the kill")
            #expect(surelyInWindow > 10, "too little 2xx traffic in the closed window: \(surelyInWindow)")

            let second = try await RecorderProcess.start(home: home, arguments: arguments)
            let calls = try await RecordClient.calls(second.adminBase, from: closedWindow.start.addingTimeInterval(-20))
            let failedRecorded = RecordLoopbackTests.failed(calls, status: 400).count
            #expect(failedRecorded >= failedBefore, "\(failedBefore - failedRecorded) of \(failedBefore) failed calls answered before the kill are lost")
            #expect(failedRecorded <= failedAll, "more failed calls recorded (\(failedRecorded)) than answered (\(failedAll))")

            let windowStart = WireFormatTime.text(closedWindow.start)
            let bucketed = calls.filter {
                $0["type"] as? String == "bucket" && $0["source"] as? String == "tap" && $0["status"] as? Int == 200
                    && $0["start"] as? String == windowStart
            }.reduce(0) { $0 + (($1["count"] as? Int) ?? 0) }
            #expect(bucketed >= surelyInWindow && bucketed <= possiblyInWindow,
                    "the closed window \(windowStart) holds \(bucketed) successes; expected \(surelyInWindow)…\(possiblyInWindow)")
            #expect(await second.terminate() == 0, "stderr: \(second.stderr)")
        }
    }
}

/// The admin server's time text (ISO 8601, milliseconds, UTC), to match a bucket's `start`.
enum WireFormatTime {
    static func text(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
}
