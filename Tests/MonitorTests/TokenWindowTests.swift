import Foundation
import ManagementAPI
import Testing
@testable import Monitor

@Suite("Per-token windows, usage and state")
struct TokenWindowTests {
    func row(_ records: [CallRecord], at now: TimeInterval, configuration: MonitorConfiguration = .init(),
             register: [TokenReference] = []) -> TokenRow?
    {
        var core = MonitorCore(configuration: configuration)
        register.forEach { core.register($0) }
        records.forEach { core.ingest($0) }
        return core.snapshot(now: Records.at(now)).tokens.first
    }

    @Test("a call exactly 60 s old has left the window; one 59.999 s old has not")
    func windowEdge() {
        let records = [Records.record(at: 0), Records.record(at: 10)]
        #expect(row(records, at: 59.999)?.callsInWindow == 2)
        #expect(row(records, at: 60)?.callsInWindow == 1)
        #expect(row(records, at: 70)?.callsInWindow == 0)
    }

    @Test("out-of-order records count where they belong and never replace a newer server figure")
    func outOfOrder() {
        let records = [Records.record(at: 30, remaining: 10), Records.record(at: 5, remaining: 50), Records.record(at: 20)]
        let token = row(records, at: 31)
        #expect(token?.callsInWindow == 3)
        #expect(token?.remaining == 10)
        #expect(token?.used == 50)
        #expect(token?.ageSeconds == 1)
    }

    /// (records, now, used, source, state)
    static let usage: [(String, [CallRecord], TimeInterval, Int, UsageSource, TokenState)] = [
        ("fresh server figure", [Records.record(at: 0, remaining: 45)], 10, 15, .server, .ok),
        ("41/60 is ok", [Records.record(at: 0, remaining: 19)], 1, 41, .server, .ok),
        ("42/60 warns", [Records.record(at: 0, remaining: 18)], 1, 42, .server, .warn),
        ("53/60 warns", [Records.record(at: 0, remaining: 7)], 1, 53, .server, .warn),
        ("54/60 is critical", [Records.record(at: 0, remaining: 6)], 1, 54, .server, .critical),
        ("figure 60 s old: seen count", [Records.record(at: 0, remaining: 6), Records.record(at: 30)], 60, 1, .seen, .ok),
        ("no figure: seen count", [Records.record(at: 0), Records.record(at: 1)], 2, 2, .seen, .ok),
        ("a 429 in the window is limited", [Records.error(429, at: 0)], 59, 60, .server, .limited),
        ("a 429 61 s ago no longer", [Records.error(429, at: 0), Records.record(at: 60, remaining: 30)], 61, 30, .server, .ok),
        ("401 on a probe", [Records.record(at: 0, status: 401, source: .probe)], 1, 1, .seen, .unauthorized),
        ("401 on the tap is not a token state", [Records.record(at: 0, status: 401, source: .tap)], 1, 1, .seen, .ok),
        ("403 on a probe", [Records.record(at: 0, status: 403, source: .probe)], 1, 1, .seen, .unauthorized),
        ("transport failure on a probe", [Records.transport(at: 0)], 1, 1, .seen, .unreachable),
        ("a later good probe clears it", [Records.transport(at: 0), Records.record(at: 5, remaining: 50, source: .probe)], 6, 10, .server, .ok),
        ("nothing recent is idle", [Records.record(at: 0)], 300, 0, .seen, .idle),
    ]

    @Test("USED, its source and the state", arguments: usage)
    func usageAndState(name: String, records: [CallRecord], now: TimeInterval, used: Int, source: UsageSource, state: TokenState) {
        let token = row(records, at: now)
        #expect(token?.used == used, "\(name)")
        #expect(token?.usageSource == source, "\(name)")
        #expect(token?.state == state, "\(name)")
    }

    @Test("a configured token shows idle before anything is seen, with the documented limit")
    func registered() {
        let token = row([], at: 0, register: [Records.ingest])
        #expect(token?.state == .idle)
        #expect(token?.limit == 60 && token?.limitFromServer == false)
        #expect(token?.configured == true)
        #expect(token?.ageSeconds == nil)
    }

    @Test("the clock stepping forward makes everything stale; stepping back keeps future records in the window")
    func clockSteps() {
        let records = [Records.record(at: 100, remaining: 10)]
        #expect(row(records, at: 100 + 7_200)?.state == .idle)
        let back = row(records, at: 50)
        #expect(back?.callsInWindow == 1)
        #expect(back?.ageSeconds == 0)
        #expect(back?.state == .warn)
    }

    @Test("the forecast: seconds to the limit at the current rate, nil when the rate would not exhaust it")
    func forecast() {
        // 20 calls in the last 10 s = 2/s; 40 used of 60 → 10 s left.
        let burst = (0..<20).map { Records.record(at: 50.5 + Double($0) * 0.5, remaining: 20) }
        let fast = row(burst, at: 60)
        #expect(fast?.forecastSeconds == 10)
        let slow = row((0..<10).map { Records.record(at: Double($0) * 6, remaining: 50) }, at: 60)
        #expect(slow?.forecastSeconds == nil)
        let full = row((0..<20).map { Records.record(at: 50 + Double($0) * 0.5, remaining: 0) }, at: 60)
        #expect(full?.forecastSeconds == nil)
    }

    @Test("the sparkline counts calls per 10 s over 10 minutes, oldest first")
    func sparkline() {
        let records = [Records.record(at: 0), Records.record(at: 5), Records.record(at: 595), Records.record(at: -700)]
        let line = row(records, at: 599)?.sparkline ?? []
        #expect(line.count == 60)
        #expect(line.first == 2)
        #expect(line.last == 1)
        #expect(line.reduce(0, +) == 3)
    }

    @Test("a token the config names takes its label from the config; a stranger shows its fingerprint")
    func labels() {
        var core = MonitorCore()
        core.ingest(Records.record(TokenReference(fingerprint: Records.ingest.fingerprint, label: nil), at: 0))
        core.register(Records.ingest)
        core.ingest(Records.record(Records.stranger, at: 1))
        let rows = core.snapshot(now: Records.at(2)).tokens
        #expect(rows.map(\.reference.displayName) == ["ingest", Records.stranger.fingerprint.description])
        #expect(rows.map(\.configured) == [true, false])
    }
}
