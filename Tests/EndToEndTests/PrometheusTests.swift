import Foundation
import Hummingbird
import HummingbirdTesting
import Simulator
import Testing

/// The recorder's `/metrics` and the packaged alert rules, held to Prometheus's own tool: a
/// real scrape with traffic in it passes `promtool check metrics` (names, units, help, types),
/// and the rules pass `promtool check rules` and their unit tests (`promtool test rules`, with
/// cases that fire and cases that stay silent). `make test` installs promtool (Debian's
/// `prometheus` package).
@Suite("Prometheus: a real scrape and the alert rules under promtool")
struct PrometheusTests {
    static let packaging = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Packaging/prometheus").path

    @Test("promtool check rules accepts mapitop-alerts.yml, and its unit tests pass")
    func rules() throws {
        let check = Spawn.run("promtool", ["check", "rules", Self.packaging + "/mapitop-alerts.yml"])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("SUCCESS"), "\(check.output)")
        // test rules resolves rule_files against the test file's folder.
        let test = Spawn.run("promtool", ["test", "rules", Self.packaging + "/mapitop-alerts.test.yml"])
        #expect(test.status == 0, "\(test.output)")
        #expect(test.output.contains("SUCCESS"), "\(test.output)")
    }

    @Test("a scrape of a recorder with probes, successes, a 400 and 429s through its tap passes promtool check metrics")
    func scrapeWithTraffic() async throws {
        try await RecordLoopbackTests.simulator().test(.live) { server in
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let config = try RecordLoopbackTests.config(home, port: server.port!)
            let recorder = try await RecorderProcess.start(home: home, tap: true, config: config)
            let tap = try #require(recorder.tapBase)
            for _ in 0..<3 { _ = try await RecordClient.call(tap + "/v2/webhooks/", secret: RecordLoopbackTests.ops.secret) }
            let invalid = try await RecordClient.call(tap + "/v2/sites/Abcd1234/media/", method: .POST,
                                                      secret: RecordLoopbackTests.ops.secret, body: RecordLoopbackTests.invalidMedia)
            #expect(invalid.status == 400)
            var limited = false
            for _ in 0..<12 where !limited {
                limited = try await RecordClient.call(tap + "/v2/webhooks/", secret: RecordLoopbackTests.burst.secret).status == 429
            }
            #expect(limited)

            var scrape = ""
            let seen = try await RecordClient.eventually {
                scrape = try await RecordClient.call(recorder.adminBase + "/metrics").body
                let probed = scrape.split(separator: "\n").contains { $0.hasPrefix(#"mapitop_probes_total{token="ops"} "#) && !$0.hasSuffix(" 0") }
                return scrape.contains(#"status="429""#) && scrape.contains(#"status="400""#) && probed
            }
            #expect(seen, "the scrape never showed the traffic: \(scrape)")
            for name in ["mapitop_quota_limit", "mapitop_quota_remaining", "mapitop_quota_figure_age_seconds", "mapitop_calls_total",
                         "mapitop_call_duration_seconds_bucket", "mapitop_token_state", "mapitop_probes_total", "mapitop_journal_bytes"] {
                #expect(scrape.contains("\n" + name) || scrape.hasPrefix(name), "no \(name) in the scrape")
            }
            #expect(!scrape.contains(RecordLoopbackTests.ops.secret) && !scrape.contains(RecordLoopbackTests.burst.secret), "a secret in the scrape")

            let file = home.path + "/scrape.txt"
            try scrape.write(toFile: file, atomically: true, encoding: .utf8)
            let lint = Spawn.run("/bin/sh", ["-c", "promtool check metrics < '\(file)'"])
            #expect(lint.status == 0, "promtool check metrics: \(lint.output)")
            #expect(lint.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool check metrics: \(lint.output)")
            #expect(await recorder.terminate() == 0, "stderr: \(recorder.stderr)")
        }
    }
}
