import Foundation
import ManagementAPI
import Monitor
import Prometheus

/// One token's series, made once and kept, so observing a call touches no registry lock and
/// hashes no label list.
struct TokenSeries: Sendable {
    struct Figure: Sendable {
        let limit: Int
        let remaining: Int
        let time: Date
    }

    let token: String
    let duration: DurationHistogram
    let probes: Counter
    /// In `TokenState.allCases` order.
    let states: [Gauge]
    var calls: [CallLabels: Counter] = [:]
    /// `mapitop_job_calls_total` by job and class: at most `JobName.cap` jobs, then `other`
    /// (the `other` token's series gathers many tokens' jobs, so it is capped here too).
    var jobCalls: [JobClass: Counter] = [:]
    var jobNames: Set<String> = []

    struct JobClass: Hashable, Sendable {
        let job: String
        let statusClass: String
    }
    /// The newest figure the API stated, and its gauges (made with the first figure, so a token
    /// the API never answered has no quota series rather than a made-up one).
    var figure: Figure?
    var figureGauges: (limit: Gauge, remaining: Gauge, age: Gauge)?

    init(token: String, registry: PrometheusCollectorRegistry) {
        self.token = token
        let labels = [("token", token)]
        duration = registry.makeDurationHistogram(descriptor: MetricNames.duration, labels: labels, buckets: MetricNames.durationBuckets)
        probes = registry.makeCounter(descriptor: MetricNames.probes, labels: labels)
        states = TokenState.allCases.map { state in
            registry.makeGauge(descriptor: MetricNames.tokenState, labels: [("token", token), ("state", state.rawValue)])
        }
    }

    mutating func observeJob(_ record: CallRecord, registry: PrometheusCollectorRegistry) {
        let job = AttributionCaps.admit(record.job, into: &jobNames, cap: JobName.cap, other: JobName.other)
        let key = JobClass(job: job, statusClass: record.statusClass.rawValue)
        if let counter = jobCalls[key] {
            counter.increment()
            return
        }
        let counter = registry.makeCounter(descriptor: MetricNames.jobCalls, labels: [
            ("token", token), ("job", job), ("class", key.statusClass),
        ])
        counter.increment()
        jobCalls[key] = counter
    }

    mutating func observe(_ record: CallRecord, registry: PrometheusCollectorRegistry, keepsFigures: Bool) {
        let labels = CallLabels(record)
        if let counter = calls[labels] {
            counter.increment()
        } else {
            let counter = registry.makeCounter(descriptor: MetricNames.calls, labels: [
                ("token", token), ("class", labels.statusClass), ("status", labels.status), ("code", labels.code),
            ])
            counter.increment()
            calls[labels] = counter
        }
        observeJob(record, registry: registry)
        duration.record(max(.zero, record.latency))
        if record.source == .probe { probes.increment() }
        // The "other" series mixes many tokens: no one figure speaks for it.
        if keepsFigures, let limit = record.rate.limit, let remaining = record.rate.remaining, remaining <= limit,
            figure.map({ $0.time <= record.time }) ?? true
        {
            figure = Figure(limit: limit, remaining: remaining, time: record.time)
            let gauges = figureGauges ?? (
                registry.makeGauge(descriptor: MetricNames.quotaLimit, labels: [("token", token)]),
                registry.makeGauge(descriptor: MetricNames.quotaRemaining, labels: [("token", token)]),
                registry.makeGauge(descriptor: MetricNames.figureAge, labels: [("token", token)]))
            gauges.limit.set(to: Double(limit))
            gauges.remaining.set(to: Double(remaining))
            figureGauges = gauges
        }
    }

    /// What only the moment of a scrape knows: the figure's age and the token's state.
    func refresh(state: TokenState?, now: Date) {
        if let figure, let gauges = figureGauges { gauges.age.set(to: max(0, now.timeIntervalSince(figure.time))) }
        guard let state else { return }
        for (index, candidate) in TokenState.allCases.enumerated() {
            states[index].set(to: candidate == state ? 1 : 0)
        }
    }
}
