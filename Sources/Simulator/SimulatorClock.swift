import Foundation
import Synchronization

/// The simulator's own notion of now. It does not share the client's clock type: the
/// simulator imports nothing of the client, so a shared bug cannot hide (DESIGN.md §3).
public protocol SimulatorClock: Sendable {
    func now() -> Date
}

public struct SystemSimulatorClock: SimulatorClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock for tests: moves only when told to.
public final class ManualSimulatorClock: SimulatorClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
