import Foundation
import Journal

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

    public init(
        reader: JournalReader, health: @escaping @Sendable () -> JournalHealth,
        lagMilliseconds: @escaping @Sendable () -> Int = { 0 }
    ) {
        journalPath = reader.path
        self.reader = reader
        self.health = health
        self.lagMilliseconds = lagMilliseconds
    }

    /// The usual pairing: the recorder's own writer, and a reader on the same file.
    public init(writer: JournalWriter, reader: JournalReader, lagMilliseconds: @escaping @Sendable () -> Int = { 0 }) {
        self.init(reader: reader, health: { writer.health }, lagMilliseconds: lagMilliseconds)
    }
}
