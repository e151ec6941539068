import Foundation
import Journal
import ManagementAPI
import Hummingbird
import HummingbirdTesting
import NIOHTTP1
import Simulator
import Testing
import TestSupport

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
        /// Where the job calls: the tap of the recorder running now.
        private(set) var tap: String?
        func use(tap: String) { self.tap = tap }
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

    /// Old failed calls, one every 2 s from 30 days back, and one of two hours ago,
    /// journaled before any recorder starts: a pass with `--retain 7d` has a million of them
    /// to delete, in steps.
    static let oldRows = 800_000

    static func seedOld(_ home: RecorderHome) async throws -> Date {
        try FileManager.default.createDirectory(atPath: home.path + "/state/mapitop", withIntermediateDirectories: true)
        let token = TokenReference(fingerprint: Fingerprint(secretValue: job.secret), label: nil)
        var options = JournalWriter.Options()
        options.batchSize = 20_000
        let path = home.journal
        let writerOptions = options
        let writer = try await Blocking.run { try JournalWriter(path: path, options: writerOptions) }
        let start = Date().addingTimeInterval(-30 * 86_400)
        @Sendable func record(_ time: Date) -> CallRecord {
            CallRecord(time: time, token: token, method: "POST", path: "/v2/sites/Abcd1234/media/", outcome: .status(400),
                       latency: .milliseconds(20), rate: RateHeaders(limit: 60, remaining: 7, requestID: nil),
                       errors: [ErrorEntry(code: "required", description: "Field 'upload' is required.", detail: nil)], source: .tap)
        }
        // In steps the writer's queue (100 000) holds, each on a thread of its own: a loop of
        // 50 000 appends must not hold one of the cooperative pool's two threads.
        var dropped = 0
        for step in stride(from: 0, to: oldRows, by: 50_000) {
            dropped += await Blocking.run {
                (step..<(step + 50_000)).filter { !writer.append(record(start.addingTimeInterval(Double($0) * 2))) }.count
            }
            await writer.flush()
        }
        // The newest row then bounds nothing (retention keeps the newest hour), so a pass goes
        // to the --retain cutoff, and a finished pass leaves no row older than a week.
        if !writer.append(record(Date().addingTimeInterval(-7_200))) { dropped += 1 }
        await writer.close()
        #expect(dropped == 0, "the seeding dropped \(dropped) records")
        return start
    }

    /// One call at a time through the tap the log names, until told to stop.
    static func callUntilStopped(_ log: Log) async {
        while await !log.stopped {
            let sent = Date()
            let tap = await log.tap
            let answer = try? await RecordClient.call((tap ?? "http://127.0.0.1:1") + "/v2/sites/Abcd1234/media/", method: .POST,
                                                      secret: job.secret, body: RecordLoopbackTests.invalidMedia, timeout: .seconds(5))
            if let answer {
                await log.add(Answered(status: answer.status, sent: sent, answered: Date()))
            } else {
                await log.addUnanswered()
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// The journal's oldest record, read on a thread of its own (SQLite waits on the
    /// recorder's deletes).
    static func oldest(_ reader: JournalReader) async -> Date? {
        await Blocking.run { (try? reader.oldestRecordTime()) ?? nil }
    }

    @Test("kill -9 in the middle of a retention pass over a large journal loses no call answered more than 1 s before the kill; after a restart the pass finishes")
    func killDuringRetention() async throws {
        let simulator = buildApplication(SimulatorConfiguration(port: 0, seed: 3, tokens: [Self.job], quotaPerMinute: 1_000_000))
        try await simulator.test(.live) { server in
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let seededFrom = try await Self.seedOld(home)
            let path = home.journal
            let reader = try await Blocking.run { try JournalReader(path: path) }
            defer { try? reader.close() }
            #expect(await Self.oldest(reader).map { abs($0.timeIntervalSince(seededFrom)) < 1 } == true)
            let upstream = ["--api-base", "http://127.0.0.1:\(server.port!)"]

            // A job calls through a first recorder that keeps everything, so plenty is answered
            // and journaled before any pass begins; it goes on calling through the restart.
            let keeping = try await RecorderProcess.start(home: home, tap: true, arguments: upstream + ["--retain", "3650d"])
            let log = Log()
            let keepingTap = try #require(keeping.tapBase)
            await log.use(tap: keepingTap)
            let trafficStarted = Date()
            let job = Task { await Self.callUntilStopped(log) }
            // More than a second and a half of calls: they are all "more than a second before".
            let warmedUp = await RecordClient.eventually {
                let answered = await log.answered
                return answered.count > 20 && (answered.first.map { Date().timeIntervalSince($0.answered) > 1.5 } ?? false)
            }
            #expect(warmedUp)
            #expect(await keeping.terminate() == 0, "stderr: \(keeping.stderr)")

            // Then the recorder whose pass (at its start, --retain 7d) has a million rows to
            // delete, oldest first: it is killed once the pass has begun and before it ends.
            let arguments = upstream + ["--retain", "7d"]
            let recorder = try await RecorderProcess.start(home: home, tap: true, arguments: arguments)
            let recorderTap = try #require(recorder.tapBase)
            await log.use(tap: recorderTap)
            let weekAgo = Date().addingTimeInterval(-7 * 86_400)
            let midPass = await RecordClient.eventually {
                guard let oldest = await Self.oldest(reader) else { return false }
                return oldest > seededFrom.addingTimeInterval(3_600) && oldest < weekAgo
            }
            #expect(midPass, "the retention pass was not caught under way")
            let killedAt = Date()
            #expect(await recorder.kill9() == 128 + SIGKILL)
            await log.stop()
            await job.value
            let oldestAfterKill = try #require(await Self.oldest(reader))
            #expect(oldestAfterKill < weekAgo, "the pass had ended before the kill: the test proves nothing")

            let answered = await log.answered
            let cutoff = killedAt.addingTimeInterval(-1)
            let before = answered.filter { $0.status == 400 && $0.answered < cutoff }.count
            #expect(before > 10, "too few calls answered a second before the kill to mean anything: \(before)")
            // One call at a time: the calls answered before the cutoff are exactly those sent
            // before the first one answered after it.
            let boundary = answered.first { $0.answered >= cutoff }?.sent ?? killedAt
            let second = try await RecorderProcess.start(home: home, arguments: arguments)
            let calls = try await RecordClient.calls(second.adminBase, from: trafficStarted.addingTimeInterval(-20))
            let failed = RecordLoopbackTests.failed(calls, status: 400)
            let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
            let recordedBefore = failed.filter { call in
                guard let text = call["time"] as? String, let time = try? Date(text, strategy: style) else { return false }
                return time < boundary
            }.count
            #expect(recordedBefore >= before, "\(before - recordedBefore) of \(before) calls answered before the kill are lost")
            #expect(failed.count <= answered.filter { $0.status == 400 }.count)
            // The restarted recorder's own pass finishes what the killed one began.
            let finished = await RecordClient.eventually { await Self.oldest(reader).map { $0 > weekAgo } ?? false }
            #expect(finished, "the old rows outlived the restarted pass")
            #expect(await second.terminate() == 0, "stderr: \(second.stderr)")
        }
    }
}
