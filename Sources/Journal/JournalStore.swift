import Foundation
import GRDB
import ManagementAPI

/// The writer's side of the file: sequence numbers, the token ids, the interned error sets,
/// the open buckets, and the pool. An actor, so batches, retention and recreation never interleave.
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
    private var tokens: TokenDirectory
    private var errorSets: ErrorSetInterner
    private var names: NameInterner
    /// Where each bucket written lately is, by key, with the parts its row holds: a later
    /// call of the same window (the window still open, or a record arriving late) adds to that
    /// row. Kept while within `rewriteHorizon` of the newest window written.
    private var writtenBuckets: [BucketFolder.Key: WrittenBucket] = [:]
    private static let rewriteHorizon: TimeInterval = 600
    private static let writtenBucketsCap = 100_000

    init(path: String, tokenCap: Int = TokenDirectory.defaultCap) throws(JournalError) {
        self.path = path
        let pool = try JournalFile.openForWriting(path: path)
        self.pool = pool
        identity = JournalFile.identity(path: path)
        do {
            let state = try Self.loadState(pool)
            nextSeq = state.nextSeq
            tokens = TokenDirectory(cap: tokenCap, stored: state.tokens)
            errorSets = ErrorSetInterner(nextID: state.nextErrorSet)
            names = state.names
        } catch {
            throw JournalFile.failure(path: path, error)
        }
    }

    /// The next seq continues after both the highest number used (a row's seq, or the seq + 1
    /// of its figure) and the recorded high-water mark, so retention deleting the newest rows
    /// could never make a seq repeat.
    private static func loadState(
        _ pool: DatabasePool
    ) throws -> (nextSeq: Int64, tokens: [TokenDirectory.Entry], nextErrorSet: Int64, names: NameInterner) {
        try pool.read { db in
            var highest = Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'last_seq'") ?? "0") ?? 0
            highest = max(highest, try Int64.fetchOne(db, sql: "SELECT max(seq) FROM tokens") ?? 0)
            for table in ["calls", "buckets"] {
                highest = max(highest, (try Int64.fetchOne(db, sql: "SELECT max(seq) FROM \(table)") ?? 0) + 1)
            }
            let nextErrorSet = (try Int64.fetchOne(db, sql: "SELECT max(id) FROM error_sets") ?? 0) + 1
            return (highest + 1, try storedTokens(db), nextErrorSet, try NameInterner.load(db))
        }
    }

    private static func storedTokens(_ db: Database) throws -> [TokenDirectory.Entry] {
        try Row.fetchAll(db, sql: "SELECT * FROM tokens").map { row in
            TokenDirectory.Entry(
                id: row["id"], fingerprint: row["fingerprint"], label: row["label"], source: SourceCode.source(row["source"]),
                firstSeen: row["first_at"], written: true)
        }
    }

    /// Writes one batch in one transaction, with what it added to every bucket (open windows
    /// included: a kill -9 then loses at most the batch in flight, never a window's worth of
    /// successes). Never throws: a failure is counted in the outcome and the writer goes on.
    ///
    /// `stopping`: the writer is closing. A journal deleted by then is not made again (a
    /// stopping recorder made a new empty one after its folder was removed); the batch is
    /// counted as dropped instead.
    func write(_ entries: [JournalEntry], stopping: Bool = false) async -> Outcome {
        var outcome = Outcome()
        // Nothing to write opens nothing: a flush or a close with an empty queue.
        guard !entries.isEmpty else { return outcome }
        if stopping {
            if isDeleted {
                outcome.droppedRecords = entries.count
                outcome.failure = "the journal \(path) was deleted while the recorder stopped"
                return outcome
            }
        } else {
            do {
                outcome.recreated = try recreateIfDeleted()
            } catch {
                outcome.failure = JournalFile.describe(error)
            }
        }
        var prepared = prepare(entries)
        guard !prepared.batch.isEmpty else { return outcome }
        prepared.batch.lastSeq = nextSeq - 1
        let batch = prepared.batch
        let lostIfFailed = batch.calls.count + batch.buckets.reduce(0) { $0 + $1.tally.count }
        guard outcome.failure == nil else {
            outcome.droppedRecords = lostIfFailed
            return outcome
        }
        do {
            let reinserted = try await pool.write { db in try batch.write(db) }
            tokens.markWritten(batch.tokens.map(\.entry.id))
            // Retention never deletes what the caches point at: the newest hour (the buckets
            // remembered are within minutes of the newest one) and the cached error sets.
            errorSets.remember(prepared.errorSets)
            names.remember(prepared.names)
            rememberWritten(batch.buckets, reinserted: reinserted)
            outcome.committed = true
        } catch {
            // Seqs and ids taken by a failed batch stay unused: gaps are harmless, repeats would
            // not be. Its tokens stay unwritten, so the next row that needs one writes it.
            outcome.droppedRecords = lostIfFailed
            outcome.failure = JournalFile.describe(error)
        }
        return outcome
    }

    /// Gives every row its token id and seq. Token rows come first, so a stream reader meets a
    /// token before the rows that name it; a failed call with a figure takes two seqs (the
    /// second is its figure's event) and every bucket two (an update may bring a figure).
    private func prepare(
        _ entries: [JournalEntry]
    ) -> (batch: PreparedBatch, errorSets: [[ErrorEntry]: (id: Int64, bytes: Int)], names: [String: Int64]) {
        var batch = PreparedBatch()
        var folder = BucketFolder()
        var changedTokens = Set<Int64>()
        var failed: [(token: Int64, job: Int64, route: Int64, entry: JournalEntry)] = []
        var newNames: [String: Int64] = [:]
        for entry in entries {
            let record = entry.record
            let (token, changed) = tokens.resolve(record.token, source: record.source, at: record.time)
            if changed { changedTokens.insert(token) }
            let job = names.id(for: record.job, pending: &newNames)
            let route = names.id(for: record.route, pending: &newNames)
            if let status = entry.successStatus {
                folder.fold(record, token: token, job: job, route: route, status: status, keepFigure: token != tokens.otherID)
            } else {
                failed.append((token, job, route, entry))
            }
        }
        batch.names = newNames.map { PreparedBatch.Name(id: $0.value, text: $0.key) }.sorted { $0.id < $1.id }
        let touched = folder.takeAll()
        var needed = changedTokens
        needed.formUnion(failed.map(\.token))
        needed.formUnion(touched.map(\.0.token))
        for id in needed.sorted() where tokens.needsRow(id) {
            if let entry = tokens.entries[id] { batch.tokens.append(.init(seq: takeSeq(), entry: entry)) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var newSets: [[ErrorEntry]: (id: Int64, bytes: Int)] = [:]
        for (token, job, route, entry) in failed {
            let record = entry.record
            var errorSet: Int64?
            if !record.errors.isEmpty {
                if let id = errorSets.id(for: record.errors) ?? newSets[record.errors]?.id {
                    errorSet = id
                } else {
                    // [ErrorEntry] holds only strings and booleans: encoding cannot fail.
                    let json = String(decoding: (try? encoder.encode(record.errors)) ?? Data("[]".utf8), as: UTF8.self)
                    let id = errorSets.takeID()
                    newSets[record.errors] = (id, json.utf8.count)
                    batch.errorSets.append(.init(id: id, json: json))
                    errorSet = id
                }
            }
            let seq = takeSeq()
            if entry.hasFigure { _ = takeSeq() }
            batch.calls.append(.init(
                seq: seq, token: token, job: job, route: route, record: record, errorSet: errorSet, body: entry.requestBody,
                query: entry.query))
        }
        for (key, tally) in touched {
            let seq = takeSeq()
            _ = takeSeq()
            let written = writtenBuckets[key]
            var parts = written?.parts ?? BucketParts()
            parts.merge(tally.parts)
            batch.buckets.append(.init(seq: seq, key: key, tally: tally, replacing: written?.seq, partsAfter: parts))
        }
        return (batch, newSets, newNames)
    }

    /// Remembers where the buckets just written are, for a later call of the same window (an
    /// open window, or a record that arrives late); forgets windows ended long before
    /// the newest one written (measured on the records' own times, not the wall clock).
    private func rememberWritten(_ buckets: [PreparedBatch.Bucket], reinserted: Set<Int64>) {
        if writtenBuckets.count + buckets.count > Self.writtenBucketsCap { writtenBuckets.removeAll() }
        for bucket in buckets {
            // A row written anew holds only this batch's parts, like its count.
            let parts = reinserted.contains(bucket.seq) ? bucket.tally.parts : bucket.partsAfter
            writtenBuckets[bucket.key] = WrittenBucket(seq: bucket.seq, parts: parts)
        }
        guard let newest = buckets.map(\.key.start).max() else { return }
        let horizon = newest - Int64(Self.rewriteHorizon)
        if writtenBuckets.keys.contains(where: { $0.start < horizon }) {
            writtenBuckets = writtenBuckets.filter { $0.key.start >= horizon }
        }
    }

    private func takeSeq() -> Int64 {
        defer { nextSeq += 1 }
        return nextSeq
    }

    /// The error sets a batch may name without writing them: retention keeps them whatever
    /// refers to them, since a batch prepared now can be written after its delete.
    var cachedErrorSetIDs: [Int64] { errorSets.cachedIDs }

    /// Likewise the job and route names (`NameInterner`).
    var cachedNameIDs: [Int64] { names.cachedIDs }

    func keepOnlyUsedNames() { names.keepOnlyUsed() }

    /// A journal deleted (or replaced) while open would swallow every later write into an
    /// unlinked inode. Noticed by comparing the path's inode with the one opened.
    /// Whether the path no longer names the file this store opened.
    private var isDeleted: Bool {
        let current = JournalFile.identity(path: path)
        return current == nil || current != identity
    }

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
        // A new file holds no tokens: ids already handed out stay and their rows are written
        // again as rows need them. A file put in its place by someone else has ids of its own.
        let state = try Self.loadState(pool)
        if state.tokens.isEmpty {
            tokens.markAllUnwritten()
        } else {
            tokens = TokenDirectory(cap: tokens.cap, stored: state.tokens)
        }
        nextSeq = max(nextSeq, state.nextSeq)
        errorSets = ErrorSetInterner(nextID: state.nextErrorSet)
        names = state.names
        writtenBuckets.removeAll()
        return true
    }

    /// Folds the WAL into the file first, so a closed journal is one self-contained file. The
    /// checkpoint waits for readers and the disk on GRDB's writer queue, not on the actor's
    /// (cooperative) thread.
    func close() async {
        try? await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
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

    /// Tokens the writer holds in memory (tests check it stays bounded).
    var tokensInMemory: Int { tokens.count }
}

/// A bucket row this session wrote: its seq, and the parts it holds so far (an update writes
/// them whole: SQL cannot add two of them).
struct WrittenBucket: Sendable {
    let seq: Int64
    let parts: BucketParts
}
