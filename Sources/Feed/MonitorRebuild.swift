import Foundation
import Journal
import ManagementAPI
import Monitor

extension JournalReader {
    /// One hour: what a live dashboard's per-10-s history holds, so a monitor rebuilt with the
    /// default span holds what a dashboard open for an hour up to `moment` would hold.
    public static let defaultRebuildSpan: TimeInterval = 3_600

    /// A `MonitorCore` holding what a live dashboard would have held at `moment`, having
    /// watched for `span` before it: the journal's calls of that span, ingested in time
    /// order. Take its snapshot at `moment`.
    ///
    /// Nothing dated after `moment` counts, exactly:
    /// - a non-2xx call counts when its time is in (`moment − span`, `moment`], with its own
    ///   figure;
    /// - a bucket of successful calls counts when its 10-second window starts at or after
    ///   `moment − span` and has ended by `moment` (`start + 10 s ≤ moment`), with its
    ///   newest figure. The successes of the window holding `moment` are left out (at most
    ///   10 s of them), since some may come after it; at a 10-s boundary none are missed.
    ///
    /// So USED (limit − remaining) is that of the newest figure among the failed calls' own
    /// figures dated at or before `moment` and the newest figure of each bucket ended by then:
    /// the server's newest figure at `moment` to within one 10-second window (a success's
    /// figure reported after the start of the window holding `moment` is not yet seen). The
    /// journal keeps only the newest figure of each bucket of successful calls, not every one
    /// the server sent (DESIGN.md section 8 says every figure), because 12 M figure rows a
    /// week would not fit its 300 MiB budget, and a bucket's newest figure is the one a
    /// dashboard shows at the window's end. The "other" token's calls (tokens past the cap)
    /// carry no figure: many tokens' figures would speak for none of them.
    public func rebuildMonitor(
        at moment: Date, span: TimeInterval = JournalReader.defaultRebuildSpan,
        configuration: MonitorConfiguration = MonitorConfiguration()
    ) throws -> MonitorCore {
        let records = try records(after: moment.addingTimeInterval(-span), upTo: moment)
        var core = MonitorCore(configuration: configuration)
        for record in records { core.ingest(record) }
        return core
    }
}
