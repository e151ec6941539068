import Benchmark
import Foundation
import ManagementAPI
import MetricsExport

/// Issue 14 (target: a scrape of 100 tokens in at most 5 ms): `/metrics` as the recorder
/// builds it, for 100 tokens that each saw successes, 400s of two codes, 429s and a 502, with
/// a fresh figure each; beside a baseline that formats the same number of sample lines.
let tokens = (0..<100).map { TokenReference(fingerprint: Secret("bench-token-\($0)").fingerprint, label: "job-\($0)") }

func fedMetrics() -> RecorderMetrics {
    let metrics = RecorderMetrics(configured: tokens, journalBytes: { 123_456_789 })
    let now = Date()
    for token in tokens {
        for (status, code) in [(200, ""), (400, "too_long"), (400, "required"), (429, "rate_limit_exceeded"), (502, "bad_gateway")] {
            for _ in 0..<3 {
                metrics.observe(CallRecord(
                    time: now, token: token, method: "POST", path: "/v2/sites/Abcd1234/media/", outcome: .status(status),
                    latency: .milliseconds(120), rate: RateHeaders(limit: 60, remaining: 30, requestID: "r"),
                    errors: code.isEmpty ? [] : [ErrorEntry(code: code, description: "d")], source: .tap))
            }
        }
    }
    return metrics
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(10), maxIterations: 200)

    Benchmark("metrics: a /metrics scrape of 100 tokens") { (benchmark: Benchmark, metrics: RecorderMetrics) in
        for _ in benchmark.scaledIterations { blackHole(metrics.scrape()) }
    } setup: {
        fedMetrics()
    }

    // Baseline: the same number of lines (`name{labels} value`), formatted and appended to
    // a byte buffer, with no registry, no locks and no label escaping.
    Benchmark("baseline: format the same number of sample lines into bytes") { (benchmark: Benchmark, lines: Int) in
        for _ in benchmark.scaledIterations {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(lines * 80)
            for index in 0..<lines {
                buffer.append(contentsOf: "mapitop_sample_total{token=\"job-\(index % 100)\",class=\"4xx\",status=\"400\"} \(index)\n".utf8)
            }
            blackHole(buffer)
        }
    } setup: {
        fedMetrics().scrapeText().split(separator: "\n").filter { !$0.hasPrefix("#") }.count
    }
}
