import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file on disk: created 0600 before SQLite sees it, recognised before GRDB touches it,
/// and opened as a WAL `DatabasePool`.
enum JournalFile {
    /// Which file is at a path: a deleted-and-recreated journal has a new inode.
    struct Identity: Equatable, Sendable {
        let device: UInt64
        let inode: UInt64
    }

    static let sqliteMagic = Array("SQLite format 3\0".utf8)

    /// Opens (creating and migrating when new) the journal for its one writer.
    static func openForWriting(path: String) throws(JournalError) -> DatabasePool {
        try createIfMissing(path: path)
        try checkHeader(path: path)
        try verifyReadOnly(path: path)
        let pool = try openPool(path: path)
        do {
            enableIncrementalVacuum(pool)
            try JournalSchema.migrator.migrate(pool)
            try pool.read { db in try JournalSchema.verify(db, path: path) }
        } catch let error as JournalError {
            throw error
        } catch {
            throw failure(path: path, error)
        }
        restrictModes(path: path)
        return pool
    }

    /// Retention gives freed pages back a few at a time (`PRAGMA incremental_vacuum`) instead
    /// of one VACUUM that held the writer for as long as it rewrote the file. That needs
    /// auto_vacuum set to incremental, which a file in WAL mode (as the pool has just made it)
    /// takes only through a VACUUM: instant on a new file, once on a journal made before.
    /// Best effort: a journal that cannot be vacuumed now (the disk too full for its copy)
    /// still opens, and its retention frees pages for reuse without giving them back.
    private static func enableIncrementalVacuum(_ pool: DatabasePool) {
        try? pool.writeWithoutTransaction { db in
            guard try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") != 2 else { return }
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            try db.execute(sql: "VACUUM")
            // The VACUUM went through the WAL: fold it back so the file is its real size.
            _ = try db.checkpoint(.truncate)
        }
    }

    /// What a checkpoint cuts the write-ahead log back to, so the journal's size on disk stays
    /// close to its data between retention passes.
    static let walSizeLimit = 4 << 20

    /// Opens an existing journal to read. WAL lets readers run beside the writer without its lock.
    static func openForReading(path: String) throws(JournalError) -> DatabasePool {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .cannotOpen(path: path, reason: "no such file")
        }
        try checkHeader(path: path)
        // Read-only: a reader must never change the file it reads (fold another program's
        // WAL into it, or switch a file to WAL); it still sees the writer's WAL as it grows.
        let pool = try openPool(path: path, readonly: true)
        do {
            try pool.read { db in try JournalSchema.verify(db, path: path) }
        } catch let error as JournalError {
            throw error
        } catch {
            throw failure(path: path, error)
        }
        return pool
    }

    /// Recognises the file through a read-only connection before any writer opens it: a
    /// foreign WAL database is then refused without getting our tables, and without its
    /// pending WAL being checkpointed into it (a closing writer connection would do that).
    private static func verifyReadOnly(path: String) throws(JournalError) {
        var configuration = Configuration()
        configuration.readonly = true
        // Even a read-only connection makes -wal and -shm beside a WAL database, and leaves
        // them: the ones it made, still empty, go again, so another application's file is left
        // as it was found.
        let sideFiles = [path + "-wal", path + "-shm"].filter { !FileManager.default.fileExists(atPath: $0) }
        defer {
            if sideFiles.count == 2, size(of: sideFiles[0]) == 0 { sideFiles.forEach { unlink($0) } }
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            try queue.read { db in
                if try !JournalSchema.isEmpty(db) { try JournalSchema.verify(db, path: path) }
            }
        } catch let error as JournalError {
            throw error
        } catch {
            throw failure(path: path, error)
        }
    }

    private static func size(of file: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int
    }

    private static func openPool(path: String, readonly: Bool = false) throws(JournalError) -> DatabasePool {
        var configuration = Configuration()
        configuration.label = "journal"
        configuration.busyMode = .timeout(5)
        configuration.readonly = readonly
        // WAL with synchronous=NORMAL survives a killed process (the case DESIGN.md section 8
        // promises); only a power cut can lose the last commits.
        if !readonly {
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                try db.execute(sql: "PRAGMA journal_size_limit = \(walSizeLimit)")
            }
        }
        do {
            return try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw failure(path: path, error)
        }
    }

    /// Creates the journal's folder (0700) when missing, before the lock file goes in it.
    static func createFolderIfMissing(path: String) throws(JournalError) {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .cannotOpen(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
            }
        }
    }

    /// Creates an empty file (0600) so SQLite never creates it with the umask's looser mode;
    /// SQLite gives -wal and -shm the main file's mode.
    static func createIfMissing(path: String) throws(JournalError) {
        try createFolderIfMissing(path: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            close(fd)
        } else if errno != EEXIST {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// An empty file is a journal being born; anything else must be a WAL-mode SQLite file
    /// (ours always are), so a foreign rollback-mode database is refused without being touched.
    static func checkHeader(path: String) throws(JournalError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .cannotOpen(path: path, reason: "cannot read it")
        }
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
        if header.isEmpty { return }
        guard header.count >= 20, Array(header[0..<16]) == sqliteMagic else {
            throw .notAJournal(path: path, reason: "not an SQLite file")
        }
        guard header[18] == 2, header[19] == 2 else {
            throw .notAJournal(path: path, reason: "an SQLite file that is not in WAL mode")
        }
    }

    /// Forces 0600 on the journal and its -wal and -shm, whatever made them.
    static func restrictModes(path: String) {
        for file in [path, path + "-wal", path + "-shm"] { _ = chmod(file, 0o600) }
    }

    static func identity(path: String) -> Identity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Bytes on disk: the database plus its write-ahead log, which holds recent commits.
    static func size(path: String) -> Int64 {
        [path, path + "-wal"].reduce(0) { total, file in
            var info = stat()
            return stat(file, &info) == 0 ? total + Int64(info.st_size) : total
        }
    }

    /// A file SQLite calls damaged is for a person to look at (`unreadable`, exit 78, and a
    /// service manager does not restart into it); anything else (a full disk, an I/O error, a
    /// busy or read-only file, no permission) may pass, so it is `cannotOpen` (exit 74) and a
    /// restart may well succeed.
    static func failure(path: String, _ error: any Error) -> JournalError {
        let damaged: [ResultCode] = [.SQLITE_CORRUPT, .SQLITE_NOTADB]
        if let error = error as? DatabaseError, damaged.contains(error.resultCode.primaryResultCode) {
            return .unreadable(path: path, reason: describe(error))
        }
        return .cannotOpen(path: path, reason: describe(error))
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }
}
