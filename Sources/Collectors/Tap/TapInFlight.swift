import Synchronization

/// How many calls are between their head and the end of their answer. A stopping tap hands
/// its records over only once this is zero (or the upstream timeout has passed): the call of
/// a job that left mid-call still runs after the job's connection is gone, and is recorded.
final class TapInFlight: Sendable {
    private let count = Atomic<Int>(0)

    var current: Int { count.load(ordering: .relaxed) }

    func began() { count.add(1, ordering: .relaxed) }
    func ended() { count.subtract(1, ordering: .relaxed) }

    /// Returns once no call is in flight, or after `limit`.
    func settle(within limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while current > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
