import Foundation
import ManagementAPI

/// Calls per job (of a token) and per route (and method), bounded by the caps of DESIGN.md
/// section 12 (`AttributionCaps`): a recorder followed may send any names, and 10 000
/// distinct paths or 200 programs still cost at most `JobName.cap` jobs a token and
/// `APIRoute.cap` routes, the rest counting as `other`. Counters live in arrays, found by one
/// hash of their key; a name is put through the caps only the first time it is seen.
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
    static let methods = ["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS"]

    let shape: UsageCounter.Shape
    private var caps = AttributionCaps()
    private var jobSlots: [JobKey: Int] = [:]
    private var jobKeys: [JobKey] = []
    private var jobTokens: [TokenReference] = []
    private var jobCounters: [UsageCounter] = []
    private var routeSlots: [RouteKey: Int] = [:]
    private var routeKeys: [RouteKey] = []
    private var routeCounters: [UsageCounter] = []

    init(_ configuration: MonitorConfiguration) {
        shape = UsageCounter.Shape(window: configuration.window, errorWindow: configuration.errorWindow)
    }

    /// `token` is the row the call counts under (its own, or `other` past the monitor's cap).
    /// Returns the job and route it counted under: the record's own, or `other` past a cap,
    /// which the monitor then gives the record too, so `job:other` finds what the row counts.
    mutating func add(_ record: CallRecord, token: TokenReference, time: TimeInterval) -> (job: String, route: String) {
        let counts = UsageCounter.Counts(record.outcome)
        let bucket = LatencyHistogram.bucket(of: record.latency)
        let job = jobSlot(JobKey(token: token.fingerprint, job: record.job), token: token)
        jobCounters[job].add(counts, latencyBucket: bucket, time: time)
        let method = Self.methods.first { $0 == record.method } ?? "OTHER"
        let route = routeSlot(RouteKey(method: method, route: record.route))
        routeCounters[route].add(counts, latencyBucket: bucket, time: time)
        return (jobKeys[job].job, routeKeys[route].route)
    }

    private mutating func jobSlot(_ key: JobKey, token: TokenReference) -> Int {
        if let slot = jobSlots[key] { return slot }
        let admitted = JobKey(token: key.token, job: caps.admit(job: key.job, of: key.token))
        if let slot = jobSlots[admitted] {
            jobSlots[key] = slot
            return slot
        }
        jobKeys.append(admitted)
        jobTokens.append(token)
        jobCounters.append(UsageCounter(shape))
        jobSlots[admitted] = jobKeys.count - 1
        return jobKeys.count - 1
    }

    private mutating func routeSlot(_ key: RouteKey) -> Int {
        if let slot = routeSlots[key] { return slot }
        let admitted = RouteKey(method: key.method, route: caps.admit(route: key.route))
        if let slot = routeSlots[admitted] {
            routeSlots[key] = slot
            return slot
        }
        routeKeys.append(admitted)
        routeCounters.append(UsageCounter(shape))
        routeSlots[admitted] = routeKeys.count - 1
        return routeKeys.count - 1
    }

    func jobRows(now: TimeInterval, configuration: MonitorConfiguration, limit: (Fingerprint) -> Int,
                 filter: Filter) -> [JobRow] {
        jobKeys.indices.compactMap { slot -> JobRow? in
            let key = jobKeys[slot]
            let token = jobTokens[slot]
            guard filter.matches(job: key.job, token: token) else { return nil }
            let counter = jobCounters[slot]
            let recent = counter.recentCalls(now: now, window: configuration.window)
            let (errors, latencies) = counter.minutes(now: now, window: configuration.errorWindow)
            guard errors.calls > 0 || recent > 0 else { return nil }
            let tokenLimit = limit(key.token)
            return JobRow(
                token: token, job: key.job, callsInWindow: recent,
                shareOfLimit: tokenLimit > 0 ? Double(recent) / Double(tokenLimit) : 0,
                clientErrors: Int(errors.clientErrors), serverErrors: Int(errors.serverErrors), limited: Int(errors.limited),
                p95: latencies.quantile(0.95),
                lastCall: counter.lastCall.isFinite ? Date(timeIntervalSince1970: counter.lastCall) : nil)
        }
        .sorted { ($0.callsInWindow, $1.job, $1.token.fingerprint.hex) > ($1.callsInWindow, $0.job, $0.token.fingerprint.hex) }
    }

    func routeRows(now: TimeInterval, configuration: MonitorConfiguration, filter: Filter) -> [RouteRow] {
        routeKeys.indices.compactMap { slot -> RouteRow? in
            let key = routeKeys[slot]
            guard filter.matches(route: key.route) else { return nil }
            let counter = routeCounters[slot]
            let recent = counter.recentCalls(now: now, window: configuration.window)
            let (errors, latencies) = counter.minutes(now: now, window: configuration.errorWindow)
            guard errors.calls > 0 || recent > 0 else { return nil }
            return RouteRow(
                method: key.method, route: key.route, callsInWindow: recent, calls: Int(errors.calls),
                clientErrors: Int(errors.clientErrors), serverErrors: Int(errors.serverErrors), transport: Int(errors.transport),
                p50: latencies.quantile(0.5), p95: latencies.quantile(0.95), p99: latencies.quantile(0.99))
        }
        .sorted { ($0.callsInWindow, $0.calls, $1.route, $1.method) > ($1.callsInWindow, $1.calls, $0.route, $0.method) }
    }
}
