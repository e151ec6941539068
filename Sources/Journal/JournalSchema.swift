import Foundation
import GRDB

/// The journal's tables, built by GRDB's migrator so later versions add migrations, never edit v1.
///
/// Every row kind carries `seq`, one journal-wide increasing number: the admin server streams
/// rows in that order and resumes after an `id: SEQ`. A call or a bucket that carries a server
/// figure also owns `seq + 1`, its figure's event, so figures need no rows of their own.
///
/// Sized for a week of 20 tokens at full quota (12 M calls) in under 300 MiB: rows name their
/// token by a small integer id, successful calls live only as 10-second buckets (the figure
/// of the newest call in each kept on the bucket), a call's errors are a reference to an
/// interned JSON text (a 429's are the same every time), and sources are 0 or 1 (no bytes).
enum JournalSchema {
    static let appName = "mapitop"
    static let kind = "journal"
    static let version = 3

    /// Where a new file's seqs start: its creation time in microseconds since 1970. A journal
    /// deleted and made anew while no recorder runs then still numbers past every seq the old
    /// file gave (a recorder running through it carries its own counter over), so a viewer that
    /// resumes with the old file's `Last-Event-ID` gets the new file's events instead of
    /// waiting silently for numbers it would only reach after as many events again.
    static func seqOrigin(now: Date = Date()) -> Int64 {
        Int64((now.timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
                    INSERT INTO meta (key, value) VALUES
                        ('app', '\(appName)'), ('kind', '\(kind)'), ('schema', '1'), ('last_seq', '0');

                    -- Each token once, never its secret. `id` is what every other row stores; past
                    -- the writer's cap, unlabeled tokens share one row whose fingerprint is "other".
                    -- A row rewritten (a label learned) takes a new seq, so the stream sees it.
                    CREATE TABLE tokens (
                        id INTEGER PRIMARY KEY,
                        seq INTEGER NOT NULL UNIQUE,
                        fingerprint TEXT NOT NULL UNIQUE,
                        label TEXT,
                        source INTEGER NOT NULL,
                        first_at REAL NOT NULL
                    );

                    -- The distinct `errors` arrays of calls, as JSON: a 429's or a 404's is the same
                    -- text every time, so calls hold a small id instead of a hundred bytes.
                    CREATE TABLE error_sets (id INTEGER PRIMARY KEY, json TEXT NOT NULL);

                    -- Calls that were not 2xx, in full. `at` stays a double so a Date comes back
                    -- bit-identical; `source` is 0 for a probe, 1 for the tap; `errors` is an
                    -- error_sets id, NULL for none.
                    CREATE TABLE calls (
                        seq INTEGER PRIMARY KEY NOT NULL,
                        at REAL NOT NULL,
                        token INTEGER NOT NULL,
                        method TEXT NOT NULL,
                        path TEXT NOT NULL,
                        status INTEGER,
                        transport TEXT,
                        latency_ns INTEGER NOT NULL,
                        rate_limit INTEGER,
                        rate_remaining INTEGER,
                        request_id TEXT,
                        errors INTEGER,
                        source INTEGER NOT NULL,
                        response_truncated INTEGER NOT NULL,
                        request_body BLOB,
                        request_body_cut INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX calls_at ON calls (at);

                    -- Successful calls, folded per 10 s and (token, method, status, source): `start`
                    -- is whole seconds since the reference date, latencies whole microseconds.
                    -- The figure columns hold the newest server figure of the bucket's calls
                    -- (`figure_ms` after `start`) and the lowest remaining any of them saw.
                    -- A bucket added to by a later batch is updated in place and takes a new
                    -- seq, so an event stream sees the update (v2 adds `first_seq`).
                    CREATE TABLE buckets (
                        seq INTEGER PRIMARY KEY NOT NULL,
                        start INTEGER NOT NULL,
                        token INTEGER NOT NULL,
                        method TEXT NOT NULL,
                        status INTEGER NOT NULL,
                        source INTEGER NOT NULL,
                        count INTEGER NOT NULL,
                        latency_sum_us INTEGER NOT NULL,
                        latency_max_us INTEGER NOT NULL,
                        figure_ms INTEGER,
                        rate_limit INTEGER,
                        rate_remaining INTEGER,
                        lowest_remaining INTEGER
                    );
                    CREATE INDEX buckets_start ON buckets (start);
                    """)
        }
        // v2: the writer adds to a bucket row every batch while its window is open (so a
        // kill -9 loses at most a batch of successes, not a window). Each update takes a new
        // seq; `first_seq` keeps the seq it was first written with (NULL until the first update),
        // the bucket's identity, so an event stream's reader swaps the bucket's earlier totals
        // for the new ones instead of counting them twice.
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    ALTER TABLE buckets ADD COLUMN first_seq INTEGER;
                    -- The query string a failed call was sent with, so a copy or an export replays it.
                    ALTER TABLE calls ADD COLUMN query TEXT;
                    UPDATE meta SET value = '2' WHERE key = 'schema';
                    """)
            // Also v2: seqs continue from the time origin (see `seqOrigin`); a gap is harmless.
            try db.execute(
                sql: "UPDATE meta SET value = CAST(max(CAST(value AS INTEGER), ?) AS TEXT) WHERE key = 'last_seq'",
                arguments: [seqOrigin()])
        }
        // v3: who called and where (DESIGN.md section 12). Jobs and routes are names interned
        // in `names` (bounded by the recorder's caps: 50 jobs a token, 200 routes), so a row
        // holds a small id; a bucket keeps its calls by job and route, with their latency
        // histograms, in `parts` (`BucketParts`: a few bytes a part, in the window's one row).
        // Rows written before have NULLs: their job reads as `?`, a call's route from its
        // path, a bucket's as `other`.
        migrator.registerMigration("v3") { db in
            try db.execute(
                sql: """
                    CREATE TABLE names (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
                    ALTER TABLE calls ADD COLUMN job INTEGER;
                    ALTER TABLE calls ADD COLUMN route INTEGER;
                    ALTER TABLE buckets ADD COLUMN parts BLOB;
                    UPDATE meta SET value = '3' WHERE key = 'schema';
                    """)
        }
        return migrator
    }

    /// Refuses a database whose meta row does not name this app and a schema it can read.
    static func verify(_ db: Database, path: String) throws {
        guard try db.tableExists("meta") else {
            throw JournalError.notAJournal(path: path, reason: "an SQLite file without a mapitop meta table")
        }
        let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM meta")
        let meta = Dictionary(rows.map { (row: Row) in (row["key"] as String, row["value"] as String) }) { a, _ in a }
        guard meta["app"] == appName, meta["kind"] == kind else {
            throw JournalError.notAJournal(path: path, reason: "its meta table names another application")
        }
        guard let schema = meta["schema"].flatMap(Int.init), schema <= version else {
            throw JournalError.unreadable(
                path: path, reason: "schema \(meta["schema"] ?? "?") is newer than this mapitop reads (\(version))")
        }
    }

    /// True when the file has no tables yet: a journal being born, safe to migrate.
    static func isEmpty(_ db: Database) throws -> Bool {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") == 0
    }
}
