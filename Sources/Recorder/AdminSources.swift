import Foundation
import Journal
import MetricsExport

/// What the admin routes read: the journal through a reader (WAL readers never block the
/// writer), and the writer's state through closures, so tests and the record command each
/// supply their own.
public struct AdminSources: Sendable {
    public let journalPath: String
    public let reader: JournalReader
    public let health: @Sendable () -> JournalHealth
    /// How far the journal trails the traffic, in milliseconds: the age of the oldest record
    /// still queued in the writer. The record command supplies it; 0 when nothing is queued.
    public let lagMilliseconds: @Sendable () -> Int
    /// What `/metrics` serves; the recorder feeds it every record it journals.
    public let metrics: RecorderMetrics
    /// Calls the tap answered but could not hand to the recorder (its queue was full).
    public let tapDropped: @Sendable () -> Int
    /// The writer's commits, when it runs in this process: event feeds wake on them instead
    /// of polling (nil: they poll).
    public let commits: CommitSignal?
    /// Blind tunnels per host, when a tap runs beside the admin server.
    public var tunnels: @Sendable () -> [String: Int]? = { nil }

    public init(
        reader: JournalReader, health: @escaping @Sendable () -> JournalHealth, metrics: RecorderMetrics,
        lagMilliseconds: @escaping @Sendable () -> Int = { 0 }, tapDropped: @escaping @Sendable () -> Int = { 0 },
        commits: CommitSignal? = nil
    ) {
        self.commits = commits
        journalPath = reader.path
        self.reader = reader
        self.health = health
        self.metrics = metrics
        self.lagMilliseconds = lagMilliseconds
        self.tapDropped = tapDropped
    }

    /// The usual pairing: the recorder's own writer, and a reader on the same file. Without
    /// `metrics`, `/metrics` has no token series until something feeds them.
    public init(
        writer: JournalWriter, reader: JournalReader, metrics: RecorderMetrics? = nil,
        lagMilliseconds: @escaping @Sendable () -> Int = { 0 }, tapDropped: @escaping @Sendable () -> Int = { 0 }
    ) {
        self.init(
            reader: reader, health: { writer.health }, metrics: metrics ?? RecorderMetrics(journalBytes: { writer.fileSize }),
            lagMilliseconds: lagMilliseconds, tapDropped: tapDropped, commits: writer.commits)
    }
}
