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
    func rules() async throws {
        let check = await Spawn.detached("promtool", ["check", "rules", Self.packaging + "/mapitop-alerts.yml"])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("SUCCESS"), "\(check.output)")
        // test rules resolves rule_files against the test file's folder.
        let test = await Spawn.detached("promtool", ["test", "rules", Self.packaging + "/mapitop-alerts.test.yml"])
        #expect(test.status == 0, "\(test.output)")
        #expect(test.output.contains("SUCCESS"), "\(test.output)")
    }

    @Test("a scrape of a recorder with probes, successes, a 400 and 429s through its tap passes promtool check metrics")
    func scrapeWithTraffic() async throws {
        try await RecorderScenario.withRecorder { home, recorder, tap in
            #expect(try await RecorderScenario.traffic(through: tap, successes: 3, untilLimited: true))

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
            let lint = await Spawn.detached("/bin/sh", ["-c", "promtool check metrics < '\(file)'"])
            #expect(lint.status == 0, "promtool check metrics: \(lint.output)")
            #expect(lint.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool check metrics: \(lint.output)")
        }
    }
}
