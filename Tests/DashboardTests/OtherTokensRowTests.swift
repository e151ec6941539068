import Foundation
import ManagementAPI
import Monitor
import Screen
import Testing
@testable import Dashboard

@Suite("The \"other\" row of unknown tokens past the cap")
struct OtherTokensRowTests {
    @Test("tokens past the cap show as one row named other, with their calls counted together")
    func otherRowOnScreen() throws {
        var core = MonitorCore(configuration: MonitorConfiguration(maxUnknownTokens: 2))
        core.register(World.ingest.reference)
        let strangers = (0..<5).map { Token(label: "unused", secret: Secret("stranger-\($0)")) }
        for (index, stranger) in strangers.enumerated() {
            let record = CallRecord(time: World.start.addingTimeInterval(Double(index)), token: TokenReference(fingerprint: stranger.fingerprint, label: nil),
                                    method: "GET", path: "/v2/webhooks/", outcome: .status(200), latency: .milliseconds(5),
                                    rate: RateHeaders(limit: 60, remaining: 59 - index, requestID: nil), errors: [], source: .tap)
            core.ingest(record)
        }
        var state = World.state()
        state = update(state, .snapshot(core.snapshot(now: World.start.addingTimeInterval(10)))).state
        let lines = DashboardView.render(state).trimmedLines
        let other = try #require(lines.first { $0.contains("other") }, "\(lines.joined(separator: "\n"))")
        // Three strangers past the cap, one call each; no one token's server figure.
        #expect(other.contains("3/60"))
        #expect(lines.contains { $0.contains(strangers[0].fingerprint.description) })
        #expect(lines.contains { $0.contains(strangers[1].fingerprint.description) })
        #expect(!lines.contains { $0.contains(strangers[2].fingerprint.description) })
    }
}

@Suite("Big counts on screen")
struct BigCountTests {
    @Test("12 345 429s in the window show as 12k in the 429s and ERR/m columns and in the tree, never cut to 123…")
    func shortenedOnScreen() throws {
        var core = MonitorCore(configuration: MonitorConfiguration())
        core.register(World.ingest.reference)
        let limited = [ErrorEntry(code: "rate_limit_exceeded", description: "Too many requests.")]
        for index in 0..<12_345 {
            core.ingest(CallRecord(
                time: World.start.addingTimeInterval(Double(index) / 1_000), token: World.ingest.reference, method: "GET",
                path: "/v2/webhooks/", outcome: .status(429), latency: .milliseconds(5),
                rate: RateHeaders(limit: 60, remaining: 0, requestID: nil), errors: limited, source: .tap))
        }
        var state = World.state()
        state = update(state, .snapshot(core.snapshot(now: World.start.addingTimeInterval(20)))).state
        let lines = DashboardView.render(state).trimmedLines
        let row = try #require(lines.first { $0.hasPrefix("ingest") }, "\(lines.joined(separator: "\n"))")
        #expect(row.split(separator: " ").filter { $0 == "12k" }.count == 2, "429s and ERR/m: \(row)")
        #expect(!lines.contains { $0.contains("123…") || $0.contains("1234") }, "\(lines.joined(separator: "\n"))")
        let tree = try #require(lines.first { $0.contains("429 rate_limit_exceeded") })
        #expect(tree.hasSuffix(" 12k"), "\(tree)")
    }
}
