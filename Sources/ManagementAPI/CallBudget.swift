import Foundation

/// Monotonic time: budgets and backoffs measure intervals, and a wall clock stepped back
/// by NTP would hold every call for as long as the step.
public typealias MonotonicInstant = ContinuousClock.Instant

/// A calls-per-minute budget over a sliding 60-second window. Callers ask when the next
/// call may go, and tell it when one went. Time is passed in (monotonic): no clock of its own.
public struct CallBudget: Sendable, Hashable {
    public static let window: TimeInterval = 60

    public let perMinute: Int
    /// Start times of the calls in the current window, oldest first.
    private var recent: [MonotonicInstant] = []

    public init(perMinute: Int) {
        self.perMinute = max(1, perMinute)
    }

    /// The earliest time at or after `now` when one more call stays within the budget.
    public func nextAllowed(now: MonotonicInstant) -> MonotonicInstant {
        let live = recent.filter { now.seconds(since: $0) < Self.window }
        guard live.count >= perMinute else { return now }
        // The call that must leave the window before one more fits.
        return live[live.count - perMinute].adding(seconds: Self.window)
    }

    public func allows(now: MonotonicInstant) -> Bool { nextAllowed(now: now) <= now }

    /// Calls counted in the window ending at `now`.
    public func used(now: MonotonicInstant) -> Int { recent.count { now.seconds(since: $0) < Self.window } }

    public mutating func recordCall(at time: MonotonicInstant) {
        recent.removeAll { time.seconds(since: $0) >= Self.window }
        let position = recent.firstIndex { $0 > time } ?? recent.endIndex
        recent.insert(time, at: position)
    }
}

/// What to do after a 429: the API sends no Retry-After, so wait out the 60-second window,
/// or less if a later answer for the same token shows `jw-request-remaining` above zero.
public struct RateLimitBackoff: Sendable, Hashable {
    public static let cooldown: TimeInterval = 60

    public private(set) var limitedAt: MonotonicInstant?

    public init() {}

    public func blockedUntil() -> MonotonicInstant? { limitedAt?.adding(seconds: Self.cooldown) }

    public func isBlocked(now: MonotonicInstant) -> Bool {
        guard let until = blockedUntil() else { return false }
        return now < until
    }

    /// Feeds any answer seen for the token (a probe's, or one the tap recorded), at the
    /// monotonic time it arrived.
    public mutating func observe(outcome: CallOutcome, rate: RateHeaders, at time: MonotonicInstant) {
        if outcome.status == 429 {
            if limitedAt.map({ time > $0 }) ?? true { limitedAt = time }
        } else if let limited = limitedAt, time > limited, let remaining = rate.remaining, remaining > 0 {
            limitedAt = nil
        }
    }
}

/// A token's pacing: its budget and its 429 backoff together.
public struct TokenPacer: Sendable, Hashable {
    public private(set) var budget: CallBudget
    public private(set) var backoff = RateLimitBackoff()

    public init(perMinute: Int) {
        budget = CallBudget(perMinute: perMinute)
    }

    public func nextAllowed(now: MonotonicInstant) -> MonotonicInstant {
        max(budget.nextAllowed(now: now), backoff.blockedUntil() ?? now)
    }

    public mutating func recordCall(at time: MonotonicInstant) { budget.recordCall(at: time) }

    /// `arrival` is when the answer came, on the monotonic clock; the record's own time is
    /// wall time, for display.
    public mutating func observe(_ record: CallRecord, at arrival: MonotonicInstant) {
        backoff.observe(outcome: record.outcome, rate: record.rate, at: arrival)
    }
}
