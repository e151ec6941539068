import Foundation
import Journal
import Logging
import ServiceLifecycle
import Synchronization

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
    /// Whether the last pass left the journal over its size (what was said about it).
    private let overSize = SaidOverSize()

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
            if overSize.changed(to: enforced.overSize) {
                // Said once when it begins (and once when it ends), never at every pass.
                report(enforced.overSize
                    ? "the journal \(journal.path) is over --max-size with only its newest hour left, which is never deleted "
                        + "(request bodies go first, then nothing more until it is an hour old)"
                    : "the journal \(journal.path) fits in --max-size again")
            }
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

/// Whether the journal was last said to be over its size.
private final class SaidOverSize: Sendable {
    private let said = Mutex(false)

    /// Records `value`; true when it differs from what was said before.
    func changed(to value: Bool) -> Bool {
        said.withLock { said in
            defer { said = value }
            return said != value
        }
    }
}
