import Foundation
import Logging
import ManagementAPI
import Synchronization

/// Something to probe: a token and its cheap GET.
public struct ProbeTarget: Sendable, Hashable {
    public let token: Token
    public let request: APIRequest

    public init(token: Token, request: APIRequest) {
        self.token = token
        self.request = request
    }
}

/// Waits until a wall-clock time; tests pass one that moves a manual clock instead.
public protocol Sleeper: Sendable {
    func sleep(until deadline: Date) async throws
}

public struct WallClockSleeper: Sleeper {
    let clock: any WallClock

    public init(clock: any WallClock = SystemClock()) {
        self.clock = clock
    }

    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSince(clock.now())
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64(seconds * 1000))) }
    }
}

/// Runs the probe schedule: each due token gets one GET through `perform`, and each
/// answer goes to `sink` (the monitor) and back into the schedule.
public final class ProbeRunner: Sendable {
    public typealias Perform = @Sendable (ProbeTarget) async -> CallRecord

    private let targets: [Fingerprint: ProbeTarget]
    private let schedule: Mutex<ProbeSchedule>
    private let clock: any WallClock
    private let sleeper: any Sleeper
    private let perform: Perform
    private let sink: @Sendable (CallRecord) -> Void

    public init(targets: [ProbeTarget], perMinute: Int, clock: any WallClock, sleeper: any Sleeper, seed: UInt64 = 1,
                perform: @escaping Perform, sink: @escaping @Sendable (CallRecord) -> Void)
    {
        self.targets = Dictionary(targets.map { ($0.token.fingerprint, $0) }, uniquingKeysWith: { first, _ in first })
        schedule = Mutex(ProbeSchedule(tokens: targets.map(\.token.fingerprint), perMinute: perMinute, start: clock.now(), seed: seed))
        self.clock = clock
        self.sleeper = sleeper
        self.perform = perform
        self.sink = sink
    }

    /// Probes through the core client.
    public static func performing(with client: ManagementClient) -> Perform {
        { target in await client.send(target.request, token: target.token, source: .probe).record }
    }

    /// Tells the schedule about a call the tap saw (a 429 there pauses probes too).
    public func observe(_ record: CallRecord) {
        schedule.withLock { $0.observe(record) }
    }

    public var scheduleSnapshot: ProbeSchedule { schedule.withLock { $0 } }

    /// Probes until cancelled.
    public func run() async {
        while !Task.isCancelled {
            let due = schedule.withLock { $0.takeDue(now: clock.now()) }
            await withTaskGroup(of: Void.self) { group in
                for fingerprint in due {
                    guard let target = targets[fingerprint] else { continue }
                    group.addTask { [self] in
                        let record = await perform(target)
                        schedule.withLock { $0.observe(record) }
                        sink(record)
                    }
                }
            }
            guard let next = schedule.withLock({ $0.nextDue() }) else { return }
            do { try await sleeper.sleep(until: next) } catch { return }
        }
    }

    /// One probe of every target at once, ignoring the schedule (`mapitop snapshot`).
    public static func probeRound(_ targets: [ProbeTarget], perform: @escaping Perform) async -> [CallRecord] {
        await withTaskGroup(of: CallRecord.self) { group in
            for target in targets { group.addTask { await perform(target) } }
            var records: [CallRecord] = []
            for await record in group { records.append(record) }
            return records
        }
    }
}
