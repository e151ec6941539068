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
        state = update(state, .snapshot(core.snapshot(now: World.start.addingTimeInterval(10))))
        let lines = DashboardView.render(state).trimmedLines
        let other = try #require(lines.first { $0.contains("other") }, "\(lines.joined(separator: "\n"))")
        // Three strangers past the cap, one call each; no one token's server figure.
        #expect(other.contains("3/60"))
        #expect(lines.contains { $0.contains(strangers[0].fingerprint.description) })
        #expect(lines.contains { $0.contains(strangers[1].fingerprint.description) })
        #expect(!lines.contains { $0.contains(strangers[2].fingerprint.description) })
    }
}
