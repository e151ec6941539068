import Foundation
import ManagementAPI

/// When each token is probed next: a pure value, time passed in, so its promises are
/// tested over simulated hours. Time is monotonic (a wall clock stepped back by an hour
/// would otherwise hold every probe for that hour); records carry wall time for display
/// only, so each is observed with the monotonic time it arrived. Promises: no token is probed more than `perMinute` times
/// in any 60 s (each token's `TokenPacer` is asked before every call); after a 429 (seen
/// by a probe or the tap) a token is left alone for 60 s; after a 401 or 403 it is
/// re-probed every 5 minutes; after transport failures it backs off exponentially to 60 s.
public struct ProbeSchedule: Sendable {
    public static let unauthorizedInterval: TimeInterval = 300
    public static let maxTransportBackoff: TimeInterval = 60

    public struct Entry: Sendable {
        public let fingerprint: Fingerprint
        public fileprivate(set) var due: MonotonicInstant
        public fileprivate(set) var pacer: TokenPacer
        public fileprivate(set) var transportFailures = 0
        /// While set, the token got 401/403 and waits this long between probes.
        public fileprivate(set) var unauthorized = false
    }

    public let perMinute: Int
    public private(set) var entries: [Entry]
    private var random: SeededRandom

    /// Probes spread over the first interval so tokens do not fire together.
    public init(tokens: [Fingerprint], perMinute: Int, start: MonotonicInstant, seed: UInt64 = 1) {
        self.perMinute = min(max(1, perMinute), 6)
        random = SeededRandom(seed: seed)
        let interval = 60 / Double(self.perMinute)
        let count = Double(max(1, tokens.count))
        entries = tokens.enumerated().map { index, fingerprint in
            Entry(fingerprint: fingerprint, due: start.adding(seconds: interval * Double(index) / count), pacer: TokenPacer(perMinute: perMinute))
        }
    }

    public var interval: TimeInterval { 60 / Double(perMinute) }

    /// When the next probe of any token may go (nil without tokens).
    public func nextDue() -> MonotonicInstant? {
        entries.map { max($0.due, $0.pacer.nextAllowed(now: $0.due)) }.min()
    }

    /// Tokens to probe now; each is counted against its budget as it is handed out.
    public mutating func takeDue(now: MonotonicInstant) -> [Fingerprint] {
        var due: [Fingerprint] = []
        for index in entries.indices where entries[index].due <= now && entries[index].pacer.nextAllowed(now: now) <= now {
            entries[index].pacer.recordCall(at: now)
            // Until the answer says otherwise, the next probe is one interval away.
            entries[index].due = now.adding(seconds: jittered(interval))
            due.append(entries[index].fingerprint)
        }
        return due
    }

    /// Feeds any record of a scheduled token (a probe's answer, or a call the tap saw), at
    /// the monotonic time it arrived.
    public mutating func observe(_ record: CallRecord, at time: MonotonicInstant) {
        guard let index = entries.firstIndex(where: { $0.fingerprint == record.token.fingerprint }) else { return }
        entries[index].pacer.observe(record, at: time)
        switch record.outcome {
        case .status(429):
            entries[index].due = max(entries[index].due, time.adding(seconds: RateLimitBackoff.cooldown))
        case .status(401), .status(403):
            guard record.source == .probe else { return }
            entries[index].unauthorized = true
            entries[index].due = max(entries[index].due, time.adding(seconds: Self.unauthorizedInterval))
        case .transport:
            guard record.source == .probe else { return }
            entries[index].transportFailures += 1
            let backoff = min(Self.maxTransportBackoff, pow(2, Double(entries[index].transportFailures)))
            entries[index].due = max(time.adding(seconds: backoff), entries[index].pacer.nextAllowed(now: time))
        case .status:
            guard record.source == .probe else { return }
            entries[index].unauthorized = false
            entries[index].transportFailures = 0
        }
    }

    public func entry(for fingerprint: Fingerprint) -> Entry? { entries.first { $0.fingerprint == fingerprint } }

    /// ±10% so that tokens drift apart instead of firing together.
    private mutating func jittered(_ value: TimeInterval) -> TimeInterval {
        value * (0.9 + 0.2 * random.unit())
    }
}
