import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ManagementAPI
import Monitor
import Simulator
import Synchronization
import Testing
import TestSupport
@testable import Collectors

/// One virtual time for both sides: the simulator's quota window (wall) and the prober's
/// schedule (monotonic) move together.
final class SharedClock: WallClock, MonotonicClock, SimulatorClock, Sleeper {
    private let start = (wall: Date(timeIntervalSince1970: 1_800_000_000), instant: ContinuousClock.now)
    /// The instant itself, not seconds since start: a deadline must be reached exactly, or
    /// the schedule finds nothing due and asks to sleep until the same deadline again.
    private let current: Mutex<ContinuousClock.Instant>
    init() { current = Mutex(start.instant) }
    func now() -> Date { start.wall.addingTimeInterval(instant().seconds(since: start.instant)) }
    func instant() -> ContinuousClock.Instant { current.withLock { $0 } }
    /// Virtual sleep: time jumps to the deadline.
    func sleep(until deadline: ContinuousClock.Instant) async throws {
        try Task.checkCancellation()
        current.withLock { $0 = max($0, deadline) }
        await Task.yield()
    }
}

@Suite("Probes against the simulator over loopback")
struct ProbeLiveTests {
    let ops = SimulatedToken(label: "ops", secret: "ops-secret-123")
    var token: Token { Token(label: "ops", secret: Secret(ops.secret)) }

    func client(_ port: Int, clock: any WallClock = SystemClock()) -> ManagementClient {
        ManagementClient(configuration: .init(baseURL: "http://127.0.0.1:\(port)", requestTimeout: .seconds(5)),
                         httpClient: HTTPClient.shared, clock: clock, logger: Logger(label: "test"))
    }

    @Test("usage read from the headers includes calls another client made on the same token")
    func otherCallersCount() async throws {
        let configuration = SimulatorConfiguration(port: 0, tokens: [ops])
        try await buildApplication(configuration).test(.live) { server in
            let other = client(server.port!)
            for _ in 0..<45 { _ = await other.send(.listWebhooks(), token: token, source: .tap) }
            let target = ProbeTarget(token: token, request: .probe(siteID: "Abcd1234"))
            let records = await ProbeRunner.probeRound([target], perform: ProbeRunner.performing(with: client(server.port!)))
            var monitor = MonitorCore()
            monitor.register(token.reference)
            records.forEach { monitor.ingest($0) }
            let row = try #require(monitor.snapshot(now: Date()).tokens.first)
            #expect(records.first?.source == .probe)
            #expect(row.used == 46)
            #expect(row.usageSource == .server)
            #expect(row.state == .warn)
        }
    }

    @Test("429, 401 and transport failures move the token to the right state and schedule")
    func statesFromProbes() async throws {
        let configuration = SimulatorConfiguration(port: 0, tokens: [ops])
        try await buildApplication(configuration).test(.live) { server in
            let api = client(server.port!)
            for _ in 0..<60 { _ = await api.send(.listWebhooks(), token: token, source: .tap) }
            let revoked = Token(label: "revoked", secret: Secret("not-known"))
            let targets = [ProbeTarget(token: token, request: .listWebhooks()), ProbeTarget(token: revoked, request: .listWebhooks())]
            let records = await ProbeRunner.probeRound(targets, perform: ProbeRunner.performing(with: api))
            let arrival = ContinuousClock.now
            var schedule = ProbeSchedule(tokens: targets.map(\.token.fingerprint), perMinute: 2, start: arrival)
            var monitor = MonitorCore()
            for record in records {
                schedule.observe(record, at: arrival)
                monitor.ingest(record)
            }
            let rows = Dictionary(uniqueKeysWithValues: monitor.snapshot(now: Date()).tokens.map { ($0.reference.label ?? "", $0) })
            #expect(rows["ops"]?.state == .limited)
            #expect(rows["revoked"]?.state == .unauthorized)
            #expect(schedule.entry(for: token.fingerprint).map { $0.due >= arrival.adding(seconds: 60) } == true)
            #expect(schedule.entry(for: revoked.fingerprint).map { $0.due >= arrival.adding(seconds: 300) } == true)
        }
        let records = try await withRefusingPort { port in
            await ProbeRunner.probeRound([ProbeTarget(token: token, request: .listWebhooks())],
                                         perform: ProbeRunner.performing(with: client(port)))
        }
        var monitor = MonitorCore()
        records.forEach { monitor.ingest($0) }
        #expect(monitor.snapshot(now: Date()).tokens.first?.state == .unreachable)
        var schedule = ProbeSchedule(tokens: [token.fingerprint], perMinute: 2, start: ContinuousClock.now)
        records.forEach { schedule.observe($0, at: ContinuousClock.now) }
        #expect(schedule.entry(for: token.fingerprint)?.transportFailures == 1)
    }

    @Test("the runner keeps the budget over a simulated hour of real probes")
    func runnerOverAnHour() async throws {
        let clock = SharedClock()
        let start = clock.now()
        let configuration = SimulatorConfiguration(port: 0, tokens: [ops], clock: clock)
        let seen = Mutex<[Date]>([])
        try await buildApplication(configuration).test(.live) { server in
            let runner = ProbeRunner(
                targets: [ProbeTarget(token: token, request: .listWebhooks())], perMinute: 6, clock: clock, sleeper: clock,
                perform: ProbeRunner.performing(with: client(server.port!, clock: clock))
            ) { record in seen.withLock { $0.append(record.time) } }
            let task = Task { await runner.run() }
            let deadline = ContinuousClock.now + .seconds(60)
            while clock.now() < start.addingTimeInterval(3_600), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            task.cancel()
            await task.value
        }
        let times = seen.withLock { $0 }
        #expect(times.count >= 300 && times.count <= 366, "\(times.count) probes in an hour")
        for time in times {
            #expect(times.count { $0 >= time && $0 < time.addingTimeInterval(60) } <= 6)
        }
    }
}
