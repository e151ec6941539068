import Foundation
import Synchronization

/// The time of day, injected wherever records are stamped, ages shown or windows read, so
/// that tests step time instead of sleeping.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// A clock that never steps: schedules, budgets, backoffs and sleeps run on it, so a wall
/// clock stepped back by NTP cannot stall them. On Linux `ContinuousClock` is
/// CLOCK_BOOTTIME: it also counts time the machine spent suspended.
public protocol MonotonicClock: Sendable {
    func instant() -> ContinuousClock.Instant
}

public struct SystemMonotonicClock: MonotonicClock {
    public init() {}
    public func instant() -> ContinuousClock.Instant { ContinuousClock.now }
}

/// The operating system's time of day as it is, steps and all. Only `AnchoredClock` reads
/// it in production; everything else reads the anchored time.
public struct OperatingSystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// Wall time that never goes backward within one process: the wall time read at the start,
/// plus the monotonic time elapsed since. A backward step of the system clock is absorbed
/// (windows and ages keep counting real seconds); a forward step of more than a second is
/// taken, so a clock set right after boot is followed, and it cannot stall anything.
public final class AnchoredClock: WallClock {
    /// How far the system clock may run ahead of the anchored time before it is followed;
    /// below this, the two differ only by the moment each was read.
    public static let forwardStepTolerance: TimeInterval = 1

    private struct Anchor {
        var wall: Date
        var instant: ContinuousClock.Instant
    }

    private let wall: any WallClock
    private let monotonic: any MonotonicClock
    private let anchor: Mutex<Anchor>

    public init(wall: any WallClock = OperatingSystemWallClock(), monotonic: any MonotonicClock = SystemMonotonicClock()) {
        self.wall = wall
        self.monotonic = monotonic
        anchor = Mutex(Anchor(wall: wall.now(), instant: monotonic.instant()))
    }

    /// The one anchored clock of the process, so every record and every window agrees.
    public static let process = AnchoredClock()

    public func now() -> Date {
        let instant = monotonic.instant()
        let system = wall.now()
        return anchor.withLock { anchor in
            let anchored = anchor.wall.addingTimeInterval(anchor.instant.seconds(until: instant))
            guard system.timeIntervalSince(anchored) > Self.forwardStepTolerance else { return anchored }
            anchor = Anchor(wall: system, instant: instant)
            return system
        }
    }
}

/// The production clock: the process's anchored wall time (see `AnchoredClock`).
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { AnchoredClock.process.now() }
}

/// A clock that moves only when told to.
public final class ManualClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}

/// A monotonic clock that moves only when told to (it starts at the real monotonic now,
/// since `ContinuousClock.Instant` has no other public starting point).
public final class ManualMonotonicClock: MonotonicClock {
    private let current: Mutex<ContinuousClock.Instant>

    public init(_ start: ContinuousClock.Instant = ContinuousClock.now) {
        current = Mutex(start)
    }

    public func instant() -> ContinuousClock.Instant { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.adding(seconds: seconds) }
    }

    /// Moves to `instant` if it is later; a monotonic clock never goes back.
    public func advance(to instant: ContinuousClock.Instant) {
        current.withLock { $0 = max($0, instant) }
    }
}

extension ContinuousClock.Instant {
    /// Seconds as a `TimeInterval`, for the schedule's arithmetic.
    public func adding(seconds: TimeInterval) -> Self { advanced(by: .seconds(seconds)) }

    public func seconds(until other: Self) -> TimeInterval {
        let duration = duration(to: other)
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    public func seconds(since other: Self) -> TimeInterval { other.seconds(until: self) }
}
