import Foundation
import Hummingbird
import HummingbirdTesting
import Simulator
import Testing

/// The set-up several end-to-end tests share: a real `mapitop record` with its tap in front
/// of the loopback simulator, `ops` configured and probed, and the jobs' usual traffic.
enum RecorderScenario {
    /// Runs `body` with the recorder's home, the process and its tap's base URL.
    /// `prepare` runs on the home before the recorder starts (a journal to begin with).
    static func withRecorder(
        prepare: @Sendable (RecorderHome) async throws -> Void = { _ in },
        _ body: @Sendable (RecorderHome, RecorderProcess, String) async throws -> Void
    ) async throws {
        try await RecordLoopbackTests.simulator().test(.live) { server in
            let home = try RecorderHome()
            defer { home.cleanUp() }
            try await prepare(home)
            let config = try RecordLoopbackTests.config(home, port: server.port!)
            let recorder = try await RecorderProcess.start(home: home, tap: true, config: config)
            let tap = try #require(recorder.tapBase)
            try await body(home, recorder, tap)
            #expect(await recorder.terminate() == 0, "stderr: \(recorder.stderr)")
        }
    }

    /// `successes` 200s and one 400 (with a body) for `ops`; with `untilLimited`, `burst`
    /// calls until the simulator's quota of 10 answers 429. Returns whether it did.
    @discardableResult
    static func traffic(through tap: String, successes: Int, untilLimited: Bool = false) async throws -> Bool {
        for _ in 0..<successes { _ = try await RecordClient.call(tap + "/v2/webhooks/", secret: RecordLoopbackTests.ops.secret) }
        let invalid = try await RecordClient.call(tap + "/v2/sites/Abcd1234/media/", method: .POST,
                                                  secret: RecordLoopbackTests.ops.secret, body: RecordLoopbackTests.invalidMedia)
        #expect(invalid.status == 400)
        guard untilLimited else { return false }
        for _ in 0..<12 {
            if try await RecordClient.call(tap + "/v2/webhooks/", secret: RecordLoopbackTests.burst.secret).status == 429 { return true }
        }
        return false
    }
}
