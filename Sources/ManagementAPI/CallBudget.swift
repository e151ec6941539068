import Foundation

/// A calls-per-minute budget over a sliding 60-second window. Callers ask when the next
/// call may go, and tell it when one went. Time is passed in: no clock of its own.
public struct CallBudget: Sendable, Hashable {
    public static let window: TimeInterval = 60

    public let perMinute: Int
    /// Start times of the calls in the current window, oldest first.
    private var recent: [Date] = []

    public init(perMinute: Int) {
        self.perMinute = max(1, perMinute)
    }

    /// The earliest time at or after `now` when one more call stays within the budget.
    public func nextAllowed(now: Date) -> Date {
        let live = recent.filter { now.timeIntervalSince($0) < Self.window }
        guard live.count >= perMinute else { return now }
        // The call that must leave the window before one more fits.
        return live[live.count - perMinute].addingTimeInterval(Self.window)
    }

    public func allows(now: Date) -> Bool { nextAllowed(now: now) <= now }

    /// Calls counted in the window ending at `now`.
    public func used(now: Date) -> Int { recent.count { now.timeIntervalSince($0) < Self.window } }

    public mutating func recordCall(at time: Date) {
        recent.removeAll { time.timeIntervalSince($0) >= Self.window }
        let position = recent.firstIndex { $0 > time } ?? recent.endIndex
        recent.insert(time, at: position)
    }
}

/// What to do after a 429: the API sends no Retry-After, so wait out the 60-second window,
/// or less if a later answer for the same token shows `jw-request-remaining` above zero.
public struct RateLimitBackoff: Sendable, Hashable {
    public static let cooldown: TimeInterval = 60

    public private(set) var limitedAt: Date?

    public init() {}

    public func blockedUntil() -> Date? { limitedAt?.addingTimeInterval(Self.cooldown) }

    public func isBlocked(now: Date) -> Bool {
        guard let until = blockedUntil() else { return false }
        return now < until
    }

    /// Feeds any answer seen for the token (a probe's, or one the tap recorded).
    public mutating func observe(outcome: CallOutcome, rate: RateHeaders, at time: Date) {
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

    public func nextAllowed(now: Date) -> Date {
        max(budget.nextAllowed(now: now), backoff.blockedUntil() ?? now)
    }

    public mutating func recordCall(at time: Date) { budget.recordCall(at: time) }

    public mutating func observe(_ record: CallRecord) {
        backoff.observe(outcome: record.outcome, rate: record.rate, at: record.time)
    }
}
