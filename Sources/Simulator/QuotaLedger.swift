import Foundation
import NIOCore

/// The quota of DESIGN.md section 6: at most `limit` accepted calls per token in the
/// trailing 60 s. Calls it rejects are not counted.
///
/// Each token keeps its accepted call times in a ring, oldest first, and a call only drops
/// the expired times at the front: O(1) amortised per call whatever the quota, so a load
/// test with a quota of millions costs the same per call as one with 60. Times arrive in
/// clock order; a wall clock stepped back can only make a call expire late by the step.
struct QuotaLedger: Sendable {
    static let window: TimeInterval = 60

    let limit: Int
    private var accepted: [String: Window] = [:]

    init(limit: Int) {
        self.limit = limit
    }

    enum Decision: Equatable {
        case accepted(remaining: Int)
        case rejected
    }

    mutating func admit(secret: String, at now: Date) -> Decision {
        let limit = self.limit
        // Mutated in place through the dictionary: the ring is never copied.
        return accepted[secret, default: Window()].admit(at: now, limit: limit)
    }

    func remaining(secret: String, at now: Date) -> Int {
        max(0, limit - (accepted[secret]?.live(at: now) ?? 0))
    }

    /// One token's accepted call times, oldest first.
    private struct Window: Sendable {
        var times = CircularBuffer<Date>()

        mutating func admit(at now: Date, limit: Int) -> Decision {
            while let oldest = times.first, now.timeIntervalSince(oldest) >= QuotaLedger.window { times.removeFirst() }
            guard times.count < limit else { return .rejected }
            times.append(now)
            return .accepted(remaining: limit - times.count)
        }

        /// How many times are still inside the window at `now`: a binary search for the
        /// first unexpired one, since this reader may not prune.
        func live(at now: Date) -> Int {
            var low = 0
            var high = times.count
            while low < high {
                let middle = (low + high) / 2
                if now.timeIntervalSince(times[times.index(times.startIndex, offsetBy: middle)]) >= QuotaLedger.window {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            return times.count - low
        }
    }
}
