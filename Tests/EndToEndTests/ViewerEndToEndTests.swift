import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import ManagementAPI
import Recorder
import Testing
import Wire

/// `mapitop watch` as a viewer (issue 13), the whole story on real processes: a recorder with
/// traffic, a window that attaches and quits while the jobs carry on, a second window with the
/// history at once, time travel and back, and two recorders on one screen.
@Suite("watch as a viewer: attach, quit, history, time travel, several sources")
struct ViewerEndToEndTests {
    /// Three 503s of `ops` twelve minutes ago, journaled before the recorder starts: eleven
    /// minutes back from any moment of the test they are on screen (in the error window) and
    /// the test's own traffic is not there yet.
    static func seed(_ home: RecorderHome) async throws {
        try FileManager.default.createDirectory(atPath: home.path + "/state/mapitop", withIntermediateDirectories: true)
        let writer = try JournalWriter(path: home.journal)
        let ops = TokenReference(fingerprint: Fingerprint(secretValue: RecordLoopbackTests.ops.secret), label: "ops")
        let then = Date().addingTimeInterval(-720)
        for index in 0..<3 {
            _ = writer.append(CallRecord(
                time: then.addingTimeInterval(Double(index)), token: ops, method: "GET", path: "/v2/webhooks/", outcome: .status(503),
                latency: .milliseconds(20), rate: RateHeaders(limit: 60, remaining: 7, requestID: nil),
                errors: [ErrorEntry(code: "service_unavailable", description: "down for a moment", detail: nil)], source: .tap))
        }
        await writer.close()
    }

    static func watch(_ home: RecorderHome, _ arguments: String = "") async throws -> Tmux {
        let config = home.path + "/config.toml"
        return try await Tmux(
            command: "\(Binary.quoted(Binary.path)) watch --config \(Binary.quoted(config)) --log-file \(Binary.quoted(home.path + "/watch.log")) \(arguments); echo __EXIT=$?",
            width: 140, height: 40, environment: home.environment)
    }

    @Test("record --journal elsewhere, then watch with the same config and no --journal: it attaches, never records beside it; info lists it")
    func attachesToTheOnlyRecorderOnAnotherJournal() async throws {
        try await RecordLoopbackTests.simulator().test(.live) { server in
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let config = try RecordLoopbackTests.config(home, port: server.port!)
            let journal = home.path + "/srv/journal.sqlite"
            let recorder = try await RecorderProcess.start(home: home, tap: true, config: config, arguments: ["--journal", journal])
            let tap = try #require(recorder.tapBase)
            #expect(try await RecordClient.call(tap + "/v2/sites/Abcd1234/media/", method: .POST, secret: RecordLoopbackTests.ops.secret,
                                                body: RecordLoopbackTests.invalidMedia).status == 400)

            let window = try await Self.watch(home)
            defer { window.stop() }
            let attached = await window.waitFor { $0.contains("recorder 127.0.0.1:\(recorder.adminPort)") && $0.contains("4xx") }
            #expect(attached.met, "\(attached.screen)")
            #expect(!attached.screen.contains("recording while open"))
            #expect(!FileManager.default.fileExists(atPath: home.journal), "the window made a journal of its own on the default path")
            await window.send("q")
            #expect(await window.exitStatus() == 0, "\(window.lastScreen)")

            let info = await Spawn.detached(Binary.path, ["info", "--config", config], environment: home.environment)
            #expect(info.output.contains("recorder    pid \(recorder.pid) · journal \(journal)"), "\(info.output)")
            #expect(await recorder.terminate() == 0, "stderr: \(recorder.stderr)")
        }
    }

    @Test("attach, quit with the jobs unharmed, history at once, [ shows the past, End live, then a second recorder as a second source")
    func story() async throws {
        try await RecorderScenario.withRecorder(prepare: Self.seed) { home, recorder, tap in
            #expect(try await RecorderScenario.traffic(through: tap, successes: 3, untilLimited: true))

            // A first window attaches: the header names the recorder, and it never probes.
            let first = try await Self.watch(home)
            defer { first.stop() }
            let attached = await first.waitFor { $0.contains("recorder 127.0.0.1:\(recorder.adminPort)") && $0.contains("4xx") }
            #expect(attached.met, "\(attached.screen)")
            #expect(!attached.screen.contains("probes"), "an attached window shows probes: \(attached.screen)")
            await first.send("q")
            #expect(await first.exitStatus() == 0, "\(first.lastScreen)")

            // The jobs never noticed: the tap is the recorder's, not the window's.
            #expect(try await RecordClient.call(tap + "/v2/webhooks/", secret: RecordLoopbackTests.ops.secret).status == 200)

            // A new window has the earlier errors at once (from the journal, not from waiting).
            let second = try await Self.watch(home)
            defer { second.stop() }
            let history = await second.waitFor { $0.contains("4xx") && $0.contains("5xx") && $0.contains("429") }
            #expect(history.met, "\(history.screen)")
            let liveOps = Self.row("ops", in: history.screen)

            // Ten minutes back, then one more: before this test's traffic, after the seeded 503s.
            await second.send("{")
            #expect(await second.waitFor { $0.contains("REPLAY") }.met)
            await second.send("[")
            let past = await second.waitFor { $0.contains("REPLAY") && $0.contains("End: live") && $0.contains("5xx") && !$0.contains("4xx") }
            #expect(past.met, "\(past.screen)")
            #expect(Self.row("ops", in: past.screen) != liveOps, "the ops row did not change in the past: \(past.screen)")
            // The limit of the seeded figures (60), where live the simulator's quota is 10.
            #expect(Self.row("ops", in: past.screen)?.contains("/60") == true, "the seeded figures: \(past.screen)")
            #expect(liveOps?.contains("/10") == true, "\(history.screen)")

            await second.send("End")
            let live = await second.waitFor { !$0.contains("REPLAY") && $0.contains("live") && $0.contains("4xx") }
            #expect(live.met, "\(live.screen)")
            await second.send("q")
            #expect(await second.exitStatus() == 0)

            // A second recorder, on a home of its own, as a second source: its tokens as label@box2.
            let otherHome = try RecorderHome()
            defer { otherHome.cleanUp() }
            let simulatorBase = try #require(try String(contentsOfFile: home.path + "/config.toml", encoding: .utf8)
                .split(separator: "\n").first { $0.hasPrefix("api_base") })
            _ = try otherHome.write("config.toml", String(simulatorBase) + "\n")
            let other = try await RecorderProcess.start(home: otherHome, tap: true, config: otherHome.path + "/config.toml")
            let otherTap = try #require(other.tapBase)
            _ = try await RecordClient.call(otherTap + "/v2/sites/Abcd1234/media/", method: .POST,
                                            secret: RecordLoopbackTests.ops.secret, body: RecordLoopbackTests.invalidMedia)
            let both = try await Self.watch(home, "--source box2=\(other.adminBase)")
            defer { both.stop() }
            let two = await both.waitFor { $0.contains("2 sources") && $0.contains("@box2") && $0.contains("ops ") }
            #expect(two.met, "\(two.screen)")

            // The second recorder goes away: its line says so, the first source carries on.
            #expect(await other.terminate() == 0)
            let down = await both.waitFor { $0.contains("box2 unreachable since") }
            #expect(down.met, "\(down.screen)")
            #expect(down.screen.contains("@box2"), "what box2 sent left the screen: \(down.screen)")
            await both.send("q")
            #expect(await both.exitStatus() == 0)
            for screen in [attached.screen, history.screen, past.screen, two.screen, down.screen] {
                #expect(!screen.contains(RecordLoopbackTests.ops.secret))
            }
        }
    }

    @Test("a window with no recorder records while open; two more attach to it; when the first quits, one takes the journal over and the other follows it")
    func takeover() async throws {
        try await RecordLoopbackTests.simulator().test(.live) { server in
            let home = try RecorderHome()
            defer { home.cleanUp() }
            _ = try RecordLoopbackTests.config(home, port: server.port!)
            let first = try await Self.watch(home)
            defer { first.stop() }
            let recording = await first.waitFor { $0.contains("recording while open") && $0.contains("ops ") }
            #expect(recording.met, "\(recording.screen)")
            let firstAdmin = try #require(RuntimeFile.read(environment: home.environment)?.admin)

            let others = [try await Self.watch(home), try await Self.watch(home)]
            defer { others.forEach { $0.stop() } }
            for window in others {
                #expect(await window.waitFor { $0.contains("recorder \(firstAdmin)") && !$0.contains("recording while open") }.met)
            }

            await first.send("q")
            #expect(await first.exitStatus() == 0, "\(first.lastScreen)")
            // One of them records now; the other follows it; neither stays on the dead address.
            var newAdmin: String?
            #expect(await RecordClient.eventually {
                guard let runtime = RuntimeFile.read(environment: home.environment), runtime.admin != firstAdmin else { return false }
                newAdmin = runtime.admin
                return runtime.window == true
            })
            let admin = try #require(newAdmin)
            let screens = await (others[0].waitFor { $0.contains("recorder \(admin)") && !$0.contains("unreachable") },
                                 others[1].waitFor { $0.contains("recorder \(admin)") && !$0.contains("unreachable") })
            #expect(screens.0.met && screens.1.met, "\(screens.0.screen)\n\(screens.1.screen)")
            #expect([screens.0.screen, screens.1.screen].filter { $0.contains("recording while open") }.count == 1,
                    "exactly one window records: \(screens.0.screen)\n\(screens.1.screen)")
            #expect(screens.0.screen.contains("ops ") && screens.1.screen.contains("ops "), "what was recorded left the screen")
            for window in others {
                await window.send("q")
                #expect(await window.exitStatus() == 0, "\(window.lastScreen)")
            }
            #expect(!FileManager.default.fileExists(atPath: home.runtimeFile), "the runtime file outlived the windows")
        }
    }

    /// The token table's row of `label` (its first line that starts with it).
    static func row(_ label: String, in screen: String) -> String? {
        screen.split(separator: "\n").first { $0.hasPrefix(label + " ") }.map(String.init)
    }
}
