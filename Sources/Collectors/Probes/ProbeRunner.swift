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

/// Waits until a monotonic instant; tests pass one that moves a manual clock instead.
public protocol Sleeper: Sendable {
    func sleep(until deadline: MonotonicInstant) async throws
}

/// Real sleeps on the monotonic clock, which a step of the wall clock cannot stretch.
public struct MonotonicSleeper: Sleeper {
    public init() {}

    public func sleep(until deadline: MonotonicInstant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
    }
}

/// Runs the probe schedule: each due token gets one GET through `perform`, and each
/// answer goes to `sink` (the monitor) and back into the schedule.
public final class ProbeRunner: Sendable {
    public typealias Perform = @Sendable (ProbeTarget) async -> CallRecord

    private let targets: [Fingerprint: ProbeTarget]
    private let schedule: Mutex<ProbeSchedule>
    private let clock: any MonotonicClock
    private let sleeper: any Sleeper
    private let perform: Perform
    private let sink: @Sendable (CallRecord) -> Void

    /// `clock` paces the probes; the records' wall times come from `perform` (the client's clock).
    public init(targets: [ProbeTarget], perMinute: Int, clock: any MonotonicClock = SystemMonotonicClock(),
                sleeper: any Sleeper = MonotonicSleeper(), seed: UInt64 = 1,
                perform: @escaping Perform, sink: @escaping @Sendable (CallRecord) -> Void)
    {
        self.targets = Dictionary(targets.map { ($0.token.fingerprint, $0) }, uniquingKeysWith: { first, _ in first })
        schedule = Mutex(ProbeSchedule(tokens: targets.map(\.token.fingerprint), perMinute: perMinute, start: clock.instant(),
                                       seed: seed))
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
        let arrival = clock.instant()
        schedule.withLock { $0.observe(record, at: arrival) }
    }

    public var scheduleSnapshot: ProbeSchedule { schedule.withLock { $0 } }

    /// Probes until cancelled. With no targets it still waits for cancellation: the
    /// collectors run as one service group, which stops every service when one returns,
    /// so returning early would take the tap down with it.
    public func run() async {
        guard !targets.isEmpty else { return await Self.waitForCancellation() }
        while !Task.isCancelled {
            let now = clock.instant()
            let due = schedule.withLock { $0.takeDue(now: now) }
            await withTaskGroup(of: Void.self) { group in
                for fingerprint in due {
                    guard let target = targets[fingerprint] else { continue }
                    group.addTask { [self] in
                        let record = await perform(target)
                        observe(record)
                        sink(record)
                    }
                }
            }
            guard let next = schedule.withLock({ $0.nextDue() }) else { return await Self.waitForCancellation() }
            do { try await sleeper.sleep(until: next) } catch { return }
        }
    }

    /// Suspends until the task is cancelled (a day at a time; the sleep ends at cancellation).
    private static func waitForCancellation() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(86_400))
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
