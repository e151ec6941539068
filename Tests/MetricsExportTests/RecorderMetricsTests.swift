import Foundation
import ManagementAPI
import MetricsExport
import Synchronization
import Testing

/// `/metrics` as text, fed records the way the recorder feeds it: the names and labels of
/// DESIGN.md section 10, figures as the API stated them, states by the dashboard's rules, and
/// a bounded number of series whatever the tap sees.
@Suite("Recorder metrics")
struct RecorderMetricsTests {
    final class Clock: WallClock {
        let time: Mutex<Date>
        init(_ time: Date) { self.time = Mutex(time) }
        func now() -> Date { time.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let ingest = TokenReference(fingerprint: Secret("metrics-ingest-secret").fingerprint, label: "ingest")

    static func record(
        _ token: TokenReference = ingest, at time: Date = start, status: Int, remaining: Int? = nil,
        errors: [ErrorEntry] = [], source: CallSource = .tap
    ) -> CallRecord {
        CallRecord(
            time: time, token: token, method: "GET", path: "/v2/webhooks/", outcome: .status(status),
            latency: .milliseconds(30), rate: RateHeaders(limit: remaining == nil ? nil : 60, remaining: remaining, requestID: "r"),
            errors: errors, source: source)
    }

    /// The value of the one sample line whose name and labels are exactly these.
    static func value(_ scrape: String, _ series: String) -> Double? {
        for line in scrape.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test("calls count by token, class, status and code; a 400 counts once under its first field code")
    func callCounters() {
        let clock = Clock(Self.start)
        let metrics = RecorderMetrics(configured: [Self.ingest], journalBytes: { 4_096 }, clock: clock)
        for _ in 0..<3 { metrics.observe(Self.record(status: 200, remaining: 50)) }
        let fields = ["too_long", "required"].map { ErrorEntry(code: $0, description: "Field 'x' is bad.") }
        metrics.observe(Self.record(status: 400, remaining: 49, errors: fields))
        metrics.observe(Self.record(status: 418, errors: [ErrorEntry(code: "teapot", description: "short and stout")]))
        let text = metrics.scrapeText()
        #expect(Self.value(text, #"mapitop_calls_total{token="ingest",class="2xx",status="200",code="none"}"#) == 3)
        #expect(Self.value(text, #"mapitop_calls_total{token="ingest",class="4xx",status="400",code="too_long"}"#) == 1)
        #expect(Self.value(text, #"mapitop_calls_total{token="ingest",class="4xx",status="other",code="other"}"#) == 1)
        #expect(Self.value(text, "mapitop_journal_bytes") == 4_096)
        #expect(!text.contains("required"), "a 400 is one call, counted under one code")
    }

    @Test("the newest figure is the quota gauges, its age follows the clock, and an older record never replaces it")
    func figures() {
        let clock = Clock(Self.start)
        let metrics = RecorderMetrics(configured: [Self.ingest], journalBytes: { 0 }, clock: clock)
        #expect(Self.value(metrics.scrapeText(), #"mapitop_quota_remaining{token="ingest"}"#) == nil, "no figure is invented before the API states one")
        metrics.observe(Self.record(at: Self.start, status: 200, remaining: 12))
        metrics.observe(Self.record(at: Self.start.addingTimeInterval(-5), status: 200, remaining: 40))
        clock.advance(7)
        let text = metrics.scrapeText()
        #expect(Self.value(text, #"mapitop_quota_limit{token="ingest"}"#) == 60)
        #expect(Self.value(text, #"mapitop_quota_remaining{token="ingest"}"#) == 12)
        #expect(Self.value(text, #"mapitop_quota_figure_age_seconds{token="ingest"}"#) == 7)
    }

    @Test("the token state gauge is 1 for the row's state only: a 429 makes it limited")
    func tokenState() {
        let clock = Clock(Self.start)
        let metrics = RecorderMetrics(configured: [Self.ingest], journalBytes: { 0 }, clock: clock)
        metrics.observe(Self.record(status: 429, remaining: 0, errors: [ErrorEntry(code: "rate_limit_exceeded", description: "slow down")]))
        let text = metrics.scrapeText()
        #expect(Self.value(text, #"mapitop_token_state{token="ingest",state="limited"}"#) == 1)
        #expect(Self.value(text, #"mapitop_token_state{token="ingest",state="ok"}"#) == 0)
        let ones = text.split(separator: "\n").filter { $0.hasPrefix("mapitop_token_state{token=\"ingest\"") && $0.hasSuffix(" 1.0") || $0.hasPrefix("mapitop_token_state{token=\"ingest\"") && $0.hasSuffix(" 1") }
        #expect(ones.count == 1, "\(ones)")
    }

    @Test("probes count apart from tap calls")
    func probes() {
        let metrics = RecorderMetrics(configured: [Self.ingest], journalBytes: { 0 }, clock: Clock(Self.start))
        metrics.observe(Self.record(status: 200, remaining: 50, source: .probe))
        metrics.observe(Self.record(status: 200, remaining: 49, source: .tap))
        #expect(Self.value(metrics.scrapeText(), #"mapitop_probes_total{token="ingest"}"#) == 1)
    }

    @Test("past 100 unknown tokens the rest count as token=\"other\": a flood of bogus secrets cannot grow the series")
    func boundedTokens() {
        let metrics = RecorderMetrics(configured: [Self.ingest], journalBytes: { 0 }, clock: Clock(Self.start))
        for index in 0..<5_000 {
            let stranger = TokenReference(fingerprint: Secret("bogus-\(index)").fingerprint, label: nil)
            metrics.observe(Self.record(stranger, status: 401, errors: [ErrorEntry(code: "unauthorized", description: "no")]))
        }
        let text = metrics.scrapeText()
        let tokens = Set(text.split(separator: "\n").filter { $0.hasPrefix("mapitop_calls_total{") }.compactMap { line in
            line.split(separator: "\"").dropFirst().first.map(String.init)
        })
        // The configured token made no call, so it has no call series of its own.
        #expect(tokens.count == 101, "100 strangers and other: \(tokens.count)")
        #expect(tokens.contains("other"))
        #expect(Self.value(text, #"mapitop_calls_total{token="other",class="4xx",status="401",code="unauthorized"}"#) == 4_900)
        #expect(!text.contains("bogus"), "a secret reached the scrape")
    }

    @Test("mapitop_job_calls_total counts each job's calls by class, at most 50 jobs a token, then other")
    func jobCalls() {
        let metrics = RecorderMetrics(configured: [Self.ingest], journalBytes: { 0 }, clock: Clock(Self.start))
        for _ in 0..<2 { metrics.observe(Self.record(status: 200).attributed(job: "nightly-ingest.py")) }
        metrics.observe(Self.record(status: 429).attributed(job: "nightly-ingest.py"))
        metrics.observe(Self.record(status: 200, source: .probe))
        for index in 0..<200 { metrics.observe(Self.record(status: 500).attributed(job: "program-\(index)")) }
        let scrape = metrics.scrapeText()
        #expect(Self.value(scrape, #"mapitop_job_calls_total{token="ingest",job="nightly-ingest.py",class="2xx"}"#) == 2)
        #expect(Self.value(scrape, #"mapitop_job_calls_total{token="ingest",job="nightly-ingest.py",class="4xx"}"#) == 1)
        #expect(Self.value(scrape, #"mapitop_job_calls_total{token="ingest",job="probe",class="2xx"}"#) == 1)
        // Two names already taken, so 48 programs get their own series and 152 calls count as
        // other, which is not one of the 50 (the screen's rule).
        #expect(Self.value(scrape, #"mapitop_job_calls_total{token="ingest",job="other",class="5xx"}"#) == 152)
        let series = scrape.split(separator: "\n").filter { $0.hasPrefix("mapitop_job_calls_total{") }
        #expect(series.count == 2 + 1 + 48 + 1)
        // The duration histogram has the journal's buckets: a percentile from a scrape matches the screen's.
        let bounds = scrape.split(separator: "\n").filter { $0.hasPrefix(#"mapitop_call_duration_seconds_bucket{token="ingest""#) }
        #expect(bounds.count == LatencyHistogram.bucketCount)
    }
}
