import Foundation
import ManagementAPI

/// Calls per job (of a token) and per route (and method), bounded by the caps of DESIGN.md
/// section 12 (`AttributionCaps`): a recorder followed may send any names, and 10 000
/// distinct paths or 200 programs still cost at most `JobName.cap` jobs a token and
/// `APIRoute.cap` routes, the rest counting as `other`.
struct UsageTable: Sendable {
    struct JobKey: Hashable, Sendable {
        let token: Fingerprint
        let job: String
    }

    struct RouteKey: Hashable, Sendable {
        let method: String
        let route: String
    }

    /// Methods kept apart; any other counts as `OTHER` (the tap forwards whatever a job sends).
    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    private var caps = AttributionCaps()
    private(set) var jobs: [JobKey: UsageCounter] = [:]
    private var jobTokens: [Fingerprint: TokenReference] = [:]
    private(set) var routes: [RouteKey: UsageCounter] = [:]

    /// `token` is the row the call counts under (its own, or `other` past the monitor's cap).
    mutating func add(_ record: CallRecord, token: TokenReference, time: TimeInterval, keepingAfter horizon: TimeInterval) {
        let (job, route) = caps.admit(token: token.fingerprint, job: record.job, route: record.route)
        jobTokens[token.fingerprint] = token
        jobs[JobKey(token: token.fingerprint, job: job), default: UsageCounter()].add(record, time: time, keepingAfter: horizon)
        let method = Self.methods.contains(record.method) ? record.method : "OTHER"
        routes[RouteKey(method: method, route: route), default: UsageCounter()].add(record, time: time, keepingAfter: horizon)
    }

    func jobRows(now: TimeInterval, configuration: MonitorConfiguration, limit: (Fingerprint) -> Int,
                 filter: Filter) -> [JobRow] {
        jobs.compactMap { key, counter -> JobRow? in
            guard let token = jobTokens[key.token], filter.matches(job: key.job, token: token) else { return nil }
            let recent = counter.counts(now: now, window: configuration.window)
            let errors = counter.counts(now: now, window: configuration.errorWindow)
            guard errors.calls > 0 || recent.calls > 0 else { return nil }
            let tokenLimit = limit(key.token)
            return JobRow(
                token: token, job: key.job, callsInWindow: Int(recent.calls),
                shareOfLimit: tokenLimit > 0 ? Double(recent.calls) / Double(tokenLimit) : 0,
                clientErrors: Int(errors.clientErrors), serverErrors: Int(errors.serverErrors), limited: Int(errors.limited),
                p95: counter.latencies(now: now, window: configuration.errorWindow).quantile(0.95),
                lastCall: counter.lastCall.isFinite ? Date(timeIntervalSince1970: counter.lastCall) : nil)
        }
        .sorted { ($0.callsInWindow, $1.job, $1.token.fingerprint.hex) > ($1.callsInWindow, $0.job, $0.token.fingerprint.hex) }
    }

    func routeRows(now: TimeInterval, configuration: MonitorConfiguration, filter: Filter) -> [RouteRow] {
        routes.compactMap { key, counter -> RouteRow? in
            guard filter.matches(route: key.route) else { return nil }
            let recent = counter.counts(now: now, window: configuration.window)
            let errors = counter.counts(now: now, window: configuration.errorWindow)
            guard errors.calls > 0 || recent.calls > 0 else { return nil }
            let latencies = counter.latencies(now: now, window: configuration.errorWindow)
            return RouteRow(
                method: key.method, route: key.route, callsInWindow: Int(recent.calls), calls: Int(errors.calls),
                clientErrors: Int(errors.clientErrors), serverErrors: Int(errors.serverErrors), transport: Int(errors.transport),
                p50: latencies.quantile(0.5), p95: latencies.quantile(0.95), p99: latencies.quantile(0.99))
        }
        .sorted { ($0.callsInWindow, $0.calls, $1.route, $1.method) > ($1.callsInWindow, $1.calls, $0.route, $0.method) }
    }
}
