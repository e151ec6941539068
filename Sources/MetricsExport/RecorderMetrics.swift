import Foundation
import ManagementAPI
import Monitor
import Prometheus
import Synchronization

/// The recorder's `/metrics` (DESIGN.md section 10), fed the same records as the journal.
/// Counters and the duration histogram move as records arrive; the token states come from a
/// monitor of its own (the dashboard's rules, so `mapitop_token_state` says what a row says)
/// and the figure ages from the clock, both at the moment of a scrape.
public final class RecorderMetrics: Sendable {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    /// DESIGN.md section 10, and the monitor's own cap.
    public static let defaultMaxUnknownTokens = 100

    private struct State: Sendable {
        var labels: TokenLabels
        var series: [String: TokenSeries] = [:]
        /// The last scrape's size, so the next one allocates once.
        var lastSize = 4_096

        mutating func makeSeries(named token: String, registry: PrometheusCollectorRegistry) {
            if series[token] == nil { series[token] = TokenSeries(token: token, registry: registry) }
        }
    }

    private let registry = PrometheusCollectorRegistry()
    private let state: Mutex<State>
    /// Keeps only what a row needs: its error ring holds one occurrence.
    private let monitor: Monitor
    private let clock: any WallClock
    private let journalBytes: @Sendable () -> Int64
    private let journalGauge: Gauge

    /// `configured` tokens have series from the start (idle until seen) and never count
    /// against `maxUnknownTokens`.
    public init(
        configured: [TokenReference] = [], journalBytes: @escaping @Sendable () -> Int64,
        maxUnknownTokens: Int = RecorderMetrics.defaultMaxUnknownTokens, clock: any WallClock = SystemClock()
    ) {
        var configuration = MonitorConfiguration(
            ringCapacity: 1, occurrencesPerGroup: 1, ringByteBudget: 1 << 16, maxUnknownTokens: maxUnknownTokens, maxGroups: 64)
        // Jobs are counted by the series themselves; the rows need none of the monitor's.
        configuration.tracksUsage = false
        monitor = Monitor(configuration: configuration, clock: clock)
        self.clock = clock
        self.journalBytes = journalBytes
        journalGauge = registry.makeGauge(descriptor: MetricNames.journalBytes, labels: [])
        var state = State(labels: TokenLabels(maxUnknown: maxUnknownTokens))
        for reference in configured {
            monitor.register(reference)
            state.labels.register(reference)
            state.makeSeries(named: reference.displayName, registry: registry)
        }
        self.state = Mutex(state)
    }

    /// Takes one record; a `Recording` observer. Runs on the tap's answer path: a lock, a few
    /// atomics, and the monitor's ingest.
    public func observe(_ record: CallRecord) {
        state.withLock { state in
            let token = state.labels.name(for: record.token)
            state.makeSeries(named: token, registry: registry)
            // In place: a copy taken out would copy the token's counter table on every call.
            state.series[token]!.observe(record, registry: registry, keepsFigures: token != TokenLabels.other)
        }
        monitor.ingest(record)
    }

    /// The Prometheus text format, as of now.
    public func scrape() -> [UInt8] {
        let snapshot = monitor.snapshot()
        let now = clock.now()
        journalGauge.set(to: Double(journalBytes()))
        return state.withLock { state in
            var rowStates: [String: TokenState] = [:]
            for row in snapshot.tokens {
                // The monitor and the labels cap unknown tokens each on their own: a row the
                // labels never named counts under `other`, as its calls do.
                let token = row.aggregate
                    ? TokenLabels.other : (state.labels.existingName(for: row.reference.fingerprint) ?? TokenLabels.other)
                rowStates[token] = row.state
                state.makeSeries(named: token, registry: registry)
            }
            for series in state.series.values { series.refresh(state: rowStates[series.token], now: now) }
            var buffer: [UInt8] = []
            buffer.reserveCapacity(state.lastSize)
            registry.emit(into: &buffer)
            state.lastSize = buffer.count + buffer.count / 8
            return buffer
        }
    }

    /// The scrape as text, for tests and tools.
    public func scrapeText() -> String { String(decoding: scrape(), as: UTF8.self) }
}
