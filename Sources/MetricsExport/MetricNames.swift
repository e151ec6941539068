import ManagementAPI
import Prometheus

/// The series of DESIGN.md section 10: names in base units, `_total` on counters only.
/// Computed, because the library's descriptor is not Sendable and so cannot be a stored static.
enum MetricNames {
    static var quotaLimit: MetricNameDescriptor {
        descriptor("mapitop_quota_limit", "The quota per minute the API last stated for the token.")
    }
    static var quotaRemaining: MetricNameDescriptor {
        descriptor("mapitop_quota_remaining", "Calls the API last said the token has left this minute.")
    }
    static var figureAge: MetricNameDescriptor {
        descriptor("mapitop_quota_figure_age_seconds", "Seconds since the API last stated the token's limit and remaining.")
    }
    static var calls: MetricNameDescriptor {
        descriptor("mapitop_calls_total", "Calls observed by probes and the tap, by outcome.")
    }
    static var duration: MetricNameDescriptor {
        descriptor("mapitop_call_duration_seconds", "Time from sending a call to its whole answer.")
    }
    static var tokenState: MetricNameDescriptor {
        descriptor("mapitop_token_state", "1 for the state the token is in, 0 for the others.")
    }
    static var probes: MetricNameDescriptor {
        descriptor("mapitop_probes_total", "Probe calls made for the token.")
    }
    static var journalBytes: MetricNameDescriptor {
        descriptor("mapitop_journal_bytes", "Bytes of the journal on disk, write-ahead log included.")
    }

    static var jobCalls: MetricNameDescriptor {
        descriptor("mapitop_job_calls_total", "Calls through the tap and probes by the job that made them (DESIGN.md section 12), by class.")
    }

    /// The monitor's and the journal's buckets (`LatencyHistogram`), from a loopback answer to
    /// the tap's 60 s upstream timeout: a percentile from a scrape and one on screen agree.
    static let durationBuckets: [Duration] = LatencyHistogram.boundsMilliseconds.map { .microseconds(Int($0 * 1_000)) }

    /// Whole names: the descriptor's parts would only be joined back with underscores.
    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
