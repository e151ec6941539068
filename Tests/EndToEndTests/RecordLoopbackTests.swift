import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Simulator
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real `mapitop record` against the simulator, with a job calling its tap (issue 12's
/// acceptance): the history read back through the admin server, across a restart.
@Suite("mapitop record on loopback: simulator upstream, jobs through the tap")
struct RecordLoopbackTests {
    static let ops = SimulatedToken(label: "ops", secret: "record-ops-secret-7781")
    /// Not in the configuration: the tap sees it, the probes never spend it.
    static let burst = SimulatedToken(label: "burst", secret: "record-burst-secret-7782")
    static let invalidMedia = #"{"metadata":{"title":""},"upload":{}}"#

    /// A configuration naming `ops` (probed) against the simulator at `port`.
    static func config(_ home: RecorderHome, port: Int) throws -> String {
        let secret = try home.write("ops.secret", ops.secret + "\n")
        return try home.write("config.toml", """
            api_base = "http://127.0.0.1:\(port)"
            [[token]]
            label = "ops"
            secret_file = "\(secret)"
            site_id = "Abcd1234"
            """)
    }

    static func simulator() -> some ApplicationProtocol {
        buildApplication(SimulatorConfiguration(port: 0, seed: 5, tokens: [ops, burst], quotaPerMinute: 10))
    }

    @Test("calls through the tap are read back via /v1/calls and /v1/events; after SIGTERM and a restart on the same journal they are still there, Last-Event-ID resumes without gap or duplicate, and new calls arrive")
    func story() async throws {
        try await Self.simulator().test(.live) { server in
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let config = try Self.config(home, port: server.port!)
            let from = Date(timeIntervalSinceNow: -60)

            let first = try await RecorderProcess.start(home: home, tap: true, config: config)
            let tap = try #require(first.tapBase)
            #expect(first.stdout == "mapitop record: journal \(home.journal) · admin \(first.adminBase) · tap \(tap) → http://127.0.0.1:\(server.port!)\n")

            // The job: three successes, a 400 with a body, and a burst until the quota says 429.
            for _ in 0..<3 { #expect(try await RecordClient.call(tap + "/v2/webhooks/", secret: Self.ops.secret).status == 200) }
            let invalid = try await RecordClient.call(tap + "/v2/sites/Abcd1234/media/", method: .POST, secret: Self.ops.secret,
                                                      body: Self.invalidMedia)
            #expect(invalid.status == 400)
            var limited = false
            for _ in 0..<12 where !limited {
                limited = try await RecordClient.call(tap + "/v2/webhooks/", secret: Self.burst.secret).status == 429
            }
            #expect(limited)

            // /v1/calls: the 400 in full with its body's size, the 429, the successes in buckets
            // (written when their 10-second window closes), and the probe of the configured token.
            var calls: [[String: Any]] = []
            let complete = try await RecordClient.eventually {
                calls = try await RecordClient.calls(first.adminBase, from: from)
                return Self.tapSuccesses(calls) == 3 && Self.failed(calls, status: 400).count == 1
                    && Self.failed(calls, status: 429).count == 1 && calls.contains { $0["source"] as? String == "probe" }
            }
            #expect(complete, "\(calls)")
            let failedCall = try #require(Self.failed(calls, status: 400).first)
            #expect(failedCall["request_body_bytes"] as? Int == Self.invalidMedia.utf8.count)
            #expect((failedCall["token"] as? [String: Any])?["label"] as? String == "ops")
            #expect(((failedCall["errors"] as? [[String: Any]]) ?? []).isEmpty == false)

            // /v1/events from the start, as a viewer reads it, up to every row /v1/calls showed.
            let seqs = Set(calls.compactMap { ($0["seq"] as? NSNumber)?.int64Value })
            let before = try await RecordClient.events(first.adminBase) { events in seqs.isSubset(of: Set(events.map(\.id))) }
            let lastSeen = try #require(before.last?.id)
            #expect(before.map(\.id) == before.map(\.id).sorted())

            #expect(await first.terminate() == 0, "stderr: \(first.stderr)")
            #expect(!FileManager.default.fileExists(atPath: home.runtimeFile), "the runtime file outlived a clean exit")

            // The same journal, a new process: the history is there, and the viewer resumes.
            let second = try await RecorderProcess.start(home: home, tap: true, config: config)
            let after = try await RecordClient.calls(second.adminBase, from: from)
            let afterSeqs = Set(after.compactMap { ($0["seq"] as? NSNumber)?.int64Value })
            #expect(afterSeqs.isSuperset(of: seqs), "rows of the first run are gone: \(seqs.subtracting(afterSeqs))")
            #expect(Self.failed(after, status: 400).first?["request_body_bytes"] as? Int == Self.invalidMedia.utf8.count)

            let again = try await RecordClient.call(try #require(second.tapBase) + "/v2/sites/Abcd1234/media/", method: .POST,
                                                    secret: Self.ops.secret, body: Self.invalidMedia)
            #expect(again.status == 400)
            let resumed = try await RecordClient.events(second.adminBase, lastEventID: lastSeen) { events in
                events.contains { Self.isFailedCall($0, status: 400) }
            }
            let newCall = try #require(resumed.first { Self.isFailedCall($0, status: 400) })
            let resumedIDs = resumed.map(\.id).filter { $0 <= newCall.id }
            let everything = try await RecordClient.events(second.adminBase) { events in events.contains { $0.id >= newCall.id } }
            let allIDs = everything.map(\.id).filter { $0 <= newCall.id }
            #expect(resumedIDs.first.map { $0 > lastSeen } == true)
            #expect(resumedIDs == allIDs.filter { $0 > lastSeen }, "gap or duplicate after Last-Event-ID \(lastSeen)")
            #expect(allIDs.filter { $0 <= lastSeen } == before.map(\.id), "the first run's events changed across the restart")

            #expect(await second.terminate() == 0, "stderr: \(second.stderr)")
            let everywhere = [first.stdout, first.stderr, second.stdout, second.stderr,
                              String(decoding: FileManager.default.contents(atPath: home.journal) ?? Data(), as: UTF8.self)]
            for secret in [Self.ops.secret, Self.burst.secret] {
                #expect(!everywhere.contains { $0.contains(secret) }, "a secret leaked")
            }
        }
    }

    @Test("with no viewer ever attached, and after one hangs up, the tap answers every call and the journal keeps them")
    func tapWithoutViewer() async throws {
        try await Self.simulator().test(.live) { server in
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let recorder = try await RecorderProcess.start(home: home, tap: true, arguments: ["--api-base", "http://127.0.0.1:\(server.port!)"])
            let tap = try #require(recorder.tapBase)
            var statuses: [Int] = []
            for _ in 0..<4 {
                statuses.append(try await RecordClient.call(tap + "/v2/sites/Abcd1234/media/", method: .POST, secret: Self.ops.secret,
                                                            body: Self.invalidMedia).status)
            }
            // A viewer comes, reads one event and goes away mid-stream.
            _ = try await RecordClient.events(recorder.adminBase) { !$0.isEmpty }
            for _ in 0..<4 {
                statuses.append(try await RecordClient.call(tap + "/v2/sites/Abcd1234/media/", method: .POST, secret: Self.ops.secret,
                                                            body: Self.invalidMedia).status)
            }
            #expect(statuses == Array(repeating: 400, count: 8))
            var calls: [[String: Any]] = []
            let recorded = try await RecordClient.eventually {
                calls = try await RecordClient.calls(recorder.adminBase)
                return Self.failed(calls, status: 400).count == 8
            }
            #expect(recorded, "\(calls.count) rows")
            #expect(await recorder.terminate() == 0)
        }
    }

    static func failed(_ lines: [[String: Any]], status: Int) -> [[String: Any]] {
        lines.filter { $0["type"] as? String == "call" && $0["status"] as? Int == status && $0["source"] as? String == "tap" }
    }

    /// Successful tap calls of `ops`, summed over their buckets.
    static func tapSuccesses(_ lines: [[String: Any]]) -> Int {
        lines.filter {
            $0["type"] as? String == "bucket" && $0["source"] as? String == "tap" && $0["status"] as? Int == 200
                && ($0["token"] as? [String: Any])?["label"] as? String == "ops"
        }.reduce(0) { $0 + (($1["count"] as? Int) ?? 0) }
    }

    static func isFailedCall(_ event: RecordClient.Event, status: Int) -> Bool {
        event.kind == "call" && event.object["status"] as? Int == status && event.object["source"] as? String == "tap"
    }
}
