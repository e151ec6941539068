import Foundation
import GRDB
import ManagementAPI

/// The writer's side of the file: sequence numbers, the tokens already stored, the open
/// buckets, and the pool. An actor, so batches, retention and recreation never interleave.
actor JournalStore {
    /// What one write cycle did, for the writer's health value.
    struct Outcome: Sendable {
        var committed = false
        var droppedRecords = 0
        var failure: String?
        var recreated = false
    }

    let path: String
    private var pool: DatabasePool
    private var identity: JournalFile.Identity?
    private var nextSeq: Int64
    private var knownTokens: Set<String>
    private var folder = BucketFolder()

    init(path: String) throws(JournalError) {
        self.path = path
        let pool = try JournalFile.openForWriting(path: path)
        self.pool = pool
        identity = JournalFile.identity(path: path)
        do {
            (nextSeq, knownTokens) = try Self.loadState(pool)
        } catch {
            throw .unreadable(path: path, reason: JournalFile.describe(error))
        }
    }

    /// The next seq continues after both the highest row and the recorded high-water mark,
    /// so retention deleting the newest rows could never make a seq repeat.
    private static func loadState(_ pool: DatabasePool) throws -> (Int64, Set<String>) {
        try pool.read { db in
            var highest = Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'last_seq'") ?? "0") ?? 0
            for table in ["calls", "buckets", "figures", "tokens"] {
                highest = max(highest, try Int64.fetchOne(db, sql: "SELECT max(seq) FROM \(table)") ?? 0)
            }
            let tokens = try String.fetchSet(db, sql: "SELECT fingerprint FROM tokens")
            return (highest + 1, tokens)
        }
    }

    /// Writes one batch in one transaction, plus the buckets that closed by `now` (all of them
    /// when `flushAll`). Never throws: a failure is counted in the outcome and the writer goes on.
    func write(_ entries: [JournalEntry], flushAll: Bool, now: Date) async -> Outcome {
        var outcome = Outcome()
        do {
            outcome.recreated = try recreateIfDeleted()
        } catch {
            outcome.failure = JournalFile.describe(error)
        }
        var batch = PreparedBatch()
        var batchTokens = Set<String>()
        for entry in entries {
            let fingerprint = entry.record.token.fingerprint.hex
            if !knownTokens.contains(fingerprint), batchTokens.insert(fingerprint).inserted {
                batch.tokens.append(.init(seq: takeSeq(), record: entry.record))
            }
            if let status = entry.successStatus {
                folder.fold(entry.record, status: status)
            } else {
                batch.calls.append(.init(seq: takeSeq(), record: entry.record, body: entry.requestBody))
            }
            if entry.hasFigure { batch.figures.append(.init(seq: takeSeq(), record: entry.record)) }
        }
        for (key, tally) in folder.take(closedBy: now, all: flushAll) {
            batch.buckets.append(.init(seq: takeSeq(), key: key, tally: tally))
        }
        guard !batch.isEmpty else { return outcome }
        batch.lastSeq = nextSeq - 1
        let lostIfFailed = batch.calls.count + batch.buckets.reduce(0) { $0 + $1.tally.count }
        guard outcome.failure == nil else {
            outcome.droppedRecords = lostIfFailed
            return outcome
        }
        do {
            try await pool.write { [batch] db in try batch.write(db) }
            knownTokens.formUnion(batchTokens)
            outcome.committed = true
        } catch {
            // Seqs taken by a failed batch stay unused: gaps are harmless, repeats would not be.
            outcome.droppedRecords = lostIfFailed
            outcome.failure = JournalFile.describe(error)
        }
        return outcome
    }

    private func takeSeq() -> Int64 {
        defer { nextSeq += 1 }
        return nextSeq
    }

    /// A journal deleted (or replaced) while open would swallow every later write into an
    /// unlinked inode. Noticed by comparing the path's inode with the one opened.
    private func recreateIfDeleted() throws -> Bool {
        let current = JournalFile.identity(path: path)
        guard current == nil || current != identity else { return false }
        try? pool.close()
        if current == nil {
            // The -wal and -shm left beside a deleted journal belong to it, not to the new file.
            for leftover in [path + "-wal", path + "-shm"] { try? FileManager.default.removeItem(atPath: leftover) }
        }
        pool = try JournalFile.openForWriting(path: path)
        identity = JournalFile.identity(path: path)
        knownTokens = try pool.read { db in try String.fetchSet(db, sql: "SELECT fingerprint FROM tokens") }
        return true
    }

    /// Folds the WAL into the file first, so a closed journal is one self-contained file.
    func close() {
        try? pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        try? pool.close()
    }

    /// Runs SQL on the writer's own connection (tests use it for PRAGMA max_page_count,
    /// which is per connection).
    func execute(_ sql: String) async throws {
        try await pool.writeWithoutTransaction { db in try db.execute(sql: sql) }
    }

    func fetchInt(_ sql: String) async throws -> Int? {
        try await pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: sql) }
    }

    var writerPool: DatabasePool { pool }
}
