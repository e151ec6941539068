import Foundation
import ManagementAPI

/// Everything the monitor keeps about one token.
struct TokenStats: Sendable {
    struct ServerFigure: Sendable, Equatable {
        let limit: Int
        let remaining: Int
        let time: TimeInterval
    }

    var reference: TokenReference
    var configured: Bool
    /// The "other" row: calls of many tokens, so no one token's server figure speaks for it.
    let aggregate: Bool
    private(set) var figure: ServerFigure?
    private(set) var recent = RecentCalls()
    private(set) var history = History()
    /// The newest record's outcome, and the newest probe's.
    private(set) var last: (time: TimeInterval, outcome: CallOutcome)?
    private(set) var lastProbe: (time: TimeInterval, outcome: CallOutcome)?
    private(set) var totalCalls = 0
    /// The newest record time seen, so pruning never drops what a window still needs.
    private var newest: TimeInterval = -.infinity

    init(reference: TokenReference, configured: Bool, aggregate: Bool = false) {
        self.reference = reference
        self.configured = configured
        self.aggregate = aggregate
    }

    mutating func ingest(_ record: CallRecord, pruneHorizon: TimeInterval) {
        let time = record.time.timeIntervalSince1970
        let limited = record.outcome.status == 429
        let failed = record.outcome.status.map { !(200..<300).contains($0) } ?? true
        totalCalls += 1
        recent.insert(time: time, limited: limited, failed: failed)
        history.add(time: time, failed: failed)
        if !aggregate, let limit = record.rate.limit, let remaining = record.rate.remaining, remaining <= limit,
            figure.map({ $0.time <= time }) ?? true
        {
            figure = ServerFigure(limit: limit, remaining: remaining, time: time)
        }
        if last.map({ $0.time <= time }) ?? true { last = (time, record.outcome) }
        if !aggregate, record.source == .probe, lastProbe.map({ $0.time <= time }) ?? true { lastProbe = (time, record.outcome) }
        if time > newest {
            newest = time
            recent.prune(olderThan: newest - pruneHorizon)
        }
    }

    func row(now: Date, configuration: MonitorConfiguration) -> TokenRow {
        let now = now.timeIntervalSince1970
        let counts = recent.counts(now: now, window: configuration.window)
        let age = figure.map { max(0, now - $0.time) }
        let fresh = age.map { $0 < configuration.freshness } ?? false
        let limit = figure?.limit ?? configuration.documentedLimit
        let used: Int
        let source: UsageSource
        if let figure, fresh {
            used = figure.limit - figure.remaining
            source = .server
        } else {
            used = counts.calls
            source = .seen
        }
        let state = state(used: used, limit: limit, counts: counts, fresh: fresh, configuration: configuration)
        return TokenRow(
            reference: reference, configured: configured, aggregate: aggregate, state: state, used: used, limit: limit,
            limitFromServer: figure != nil, usageSource: source, remaining: fresh ? figure?.remaining : nil,
            ageSeconds: age, callsInWindow: counts.calls, limitedInWindow: counts.limited,
            errorsInWindow: counts.failed, lastOutcome: last?.outcome,
            forecastSeconds: forecast(used: used, limit: limit, counts: counts, configuration: configuration),
            sparkline: history.calls(endingAt: now, count: 60), totalCalls: totalCalls)
    }

    private func state(used: Int, limit: Int, counts: RecentCalls.Counts, fresh: Bool,
                       configuration: MonitorConfiguration) -> TokenState
    {
        if let probe = lastProbe?.outcome {
            switch probe {
            case .status(401), .status(403): return .unauthorized
            case .transport: return .unreachable
            default: break
            }
        }
        if counts.limited > 0 { return .limited }
        if counts.calls == 0, !fresh { return .idle }
        guard limit > 0 else { return .ok }
        let ratio = Double(used) / Double(limit)
        if ratio >= configuration.criticalRatio { return .critical }
        if ratio >= configuration.warnRatio { return .warn }
        return .ok
    }

    /// Seconds until USED reaches the limit if calls keep coming at the rate of the last
    /// tenth of the window; nil when that rate would never exhaust the quota. Calls leaving
    /// the window are ignored, so the figure errs early, which is the side to err on.
    private func forecast(used: Int, limit: Int, counts: RecentCalls.Counts, configuration: MonitorConfiguration) -> Double? {
        let rate = Double(counts.latest) / (configuration.window / 6)
        guard rate * configuration.window > Double(limit), used < limit, rate > 0 else { return nil }
        return Double(limit - used) / rate
    }
}
