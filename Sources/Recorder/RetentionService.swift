import Foundation
import Journal
import Logging
import ServiceLifecycle

/// Keeps the journal within `--retain` and `--max-size`: one pass at start, then one an hour.
/// A failed pass is said once on stderr and tried again at the next hour; it never stops the
/// recorder (the journal keeps recording, only bigger than asked).
struct RetentionService: Service {
    let journal: JournalWriter
    let retain: TimeInterval
    let maxBytes: Int64
    let interval: Duration
    let report: @Sendable (String) -> Void
    let logger: Logger
    var now: @Sendable () -> Date = { Date() }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await pass()
                try? await Task.sleep(for: interval)
            }
        }
    }

    func pass() async {
        do {
            let pruned = try await journal.prune(olderThan: now().addingTimeInterval(-retain))
            let enforced = try await journal.enforce(maxBytes: maxBytes)
            logger.info("retention pass", metadata: [
                "rows_older_than_retain": "\(pruned.deletedRows)", "days_removed_for_size": "\(enforced.daysRemoved)",
                "bytes": "\(enforced.bytesAfter)",
            ])
        } catch is CancellationError {
            return
        } catch {
            if Task.isCancelled { return }
            report("retention of the journal \(journal.path) failed, retrying in an hour: \(error)")
        }
    }
}
