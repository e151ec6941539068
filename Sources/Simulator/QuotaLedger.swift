import Foundation

/// The quota of DESIGN.md section 6: at most `limit` accepted calls per token in the
/// trailing 60 s. Calls it rejects are not counted.
struct QuotaLedger: Sendable {
    static let window: TimeInterval = 60

    let limit: Int
    /// Accepted call times per token secret, oldest first.
    private var accepted: [String: [Date]] = [:]

    init(limit: Int) {
        self.limit = limit
    }

    enum Decision: Equatable {
        case accepted(remaining: Int)
        case rejected
    }

    mutating func admit(secret: String, at now: Date) -> Decision {
        var times = accepted[secret, default: []]
        times.removeAll { now.timeIntervalSince($0) >= Self.window }
        guard times.count < limit else {
            accepted[secret] = times
            return .rejected
        }
        times.append(now)
        accepted[secret] = times
        return .accepted(remaining: limit - times.count)
    }

    func remaining(secret: String, at now: Date) -> Int {
        let live = accepted[secret, default: []].count { now.timeIntervalSince($0) < Self.window }
        return max(0, limit - live)
    }
}
