import GRDB

/// The journal's tables, built by GRDB's migrator so later versions add migrations, never edit v1.
///
/// Every row of every kind carries `seq`, one journal-wide increasing number: the admin server
/// streams rows in that order and resumes after an `id: SEQ`. Times are `at`: seconds since
/// Foundation's reference date as a double, so a `Date` comes back bit-identical.
enum JournalSchema {
    static let appName = "mapitop"
    static let kind = "journal"
    static let version = 1

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    INSERT INTO meta (key, value) VALUES
                        ('app', '\(appName)'), ('kind', '\(kind)'), ('schema', '\(version)'), ('last_seq', '0');

                    -- Calls that were not 2xx, in full. Never a secret: tokens are fingerprints.
                    CREATE TABLE calls (
                        seq INTEGER PRIMARY KEY NOT NULL,
                        at REAL NOT NULL,
                        fingerprint TEXT NOT NULL,
                        label TEXT,
                        method TEXT NOT NULL,
                        path TEXT NOT NULL,
                        status INTEGER,
                        transport TEXT,
                        latency_ns INTEGER NOT NULL,
                        rate_limit INTEGER,
                        rate_remaining INTEGER,
                        request_id TEXT,
                        errors TEXT NOT NULL,
                        source TEXT NOT NULL,
                        response_truncated INTEGER NOT NULL,
                        request_body BLOB,
                        request_body_cut INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX calls_at ON calls (at);

                    -- Successful calls, folded per 10 s. A later write to the same bucket adds to it
                    -- and takes a new seq, so an event stream sees the update.
                    CREATE TABLE buckets (
                        seq INTEGER NOT NULL UNIQUE,
                        start REAL NOT NULL,
                        fingerprint TEXT NOT NULL,
                        label TEXT,
                        method TEXT NOT NULL,
                        status INTEGER NOT NULL,
                        source TEXT NOT NULL,
                        count INTEGER NOT NULL,
                        latency_sum_ns INTEGER NOT NULL,
                        latency_max_ns INTEGER NOT NULL,
                        PRIMARY KEY (start, fingerprint, method, status, source)
                    );

                    -- What the server said: jw-request-limit and jw-request-remaining.
                    CREATE TABLE figures (
                        seq INTEGER PRIMARY KEY NOT NULL,
                        at REAL NOT NULL,
                        fingerprint TEXT NOT NULL,
                        label TEXT,
                        rate_limit INTEGER,
                        rate_remaining INTEGER
                    );
                    CREATE INDEX figures_at ON figures (at);

                    -- Each token once: the first label and source it was seen with.
                    CREATE TABLE tokens (
                        seq INTEGER NOT NULL UNIQUE,
                        fingerprint TEXT PRIMARY KEY NOT NULL,
                        label TEXT,
                        source TEXT NOT NULL,
                        first_at REAL NOT NULL
                    );
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
