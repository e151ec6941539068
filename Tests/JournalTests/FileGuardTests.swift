import Foundation
import GRDB
import Testing
@testable import Journal
import ManagementAPI

@Suite("Journal: the file is ours, private, and has one writer")
struct FileGuardTests {
    @Test("a foreign SQLite file is refused, naming the path, and left untouched")
    func foreignSQLiteRefused() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let queue = try DatabaseQueue(path: temp.path)
        try await queue.write { db in try db.execute(sql: "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine')") }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: temp.path))
        for open in [{ _ = try JournalWriter(path: temp.path) }, { _ = try JournalReader(path: temp.path) }] {
            let error = try #require(throws: JournalError.self) { try open() }
            guard case .notAJournal = error else { Issue.record("unexpected \(error)"); continue }
            #expect(error.description.contains(temp.path))
            #expect(error.exitCode == 78)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: temp.path)) == before)
    }

    @Test("a foreign SQLite file in WAL mode is refused too (its meta table is missing)")
    func foreignWALRefused() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let pool = try DatabasePool(path: temp.path)
        try await pool.write { db in try db.execute(sql: "CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('app', 'other')") }
        try pool.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: temp.path))
        let error = try #require(throws: JournalError.self) { try JournalWriter(path: temp.path) }
        guard case .notAJournal = error else { Issue.record("unexpected \(error)"); return }
        #expect(error.description.contains(temp.path))
        #expect(error.exitCode == 78)
        let after = try Data(contentsOf: URL(fileURLWithPath: temp.path))
        let changed = zip(before, after).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        #expect(after == before, "sizes \(before.count) → \(after.count), bytes changed at \(changed.prefix(20))")
        #expect(!FileManager.default.fileExists(atPath: temp.path + "-wal"), "a -wal was left beside another application's file")
    }

    /// 78 tells systemd not to restart (RestartPreventExitStatus): right for a file that is not
    /// a journal, wrong for a fault that passes, which must restart and retry.
    @Test("a journal that cannot be opened for a reason that may pass (its -wal is in the way) exits 74, not 78")
    func transientFailureIsIO() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        writer.append(Fixtures.record(status: 500))
        await writer.close()
        try? FileManager.default.removeItem(atPath: temp.path + "-wal")
        try FileManager.default.createDirectory(atPath: temp.path + "-wal", withIntermediateDirectories: false)
        let error = try #require(throws: JournalError.self) { try JournalWriter(path: temp.path) }
        guard case .cannotOpen = error else { Issue.record("unexpected \(error)"); return }
        #expect(error.description.contains(temp.path))
        #expect(error.exitCode == 74)
    }

    @Test("a garbage file is refused, naming the path")
    func garbageRefused() throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: temp.path))
        let error = try #require(throws: JournalError.self) { try JournalWriter(path: temp.path) }
        #expect(error.description.contains(temp.path))
        #expect(error.exitCode == 78)
    }

    @Test("a journal whose pages are corrupt is refused, naming the path")
    func corruptRefused() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.path)
        writer.append(Fixtures.record(status: 500))
        await writer.close()
        for file in [temp.path + "-wal", temp.path + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
        // Keep the SQLite header, ruin everything after it (the schema lives on page 1).
        var bytes = try Data(contentsOf: URL(fileURLWithPath: temp.path))
        for index in 100..<bytes.count { bytes[index] = 0xA5 }
        try bytes.write(to: URL(fileURLWithPath: temp.path))
        let error = try #require(throws: JournalError.self) { try JournalReader(path: temp.path) }
        #expect(error.description.contains(temp.path))
        #expect(error.exitCode == 78)
    }

    /// The usual umask 022 would make SQLite's own file 0644 (and its -wal and -shm with it).
    @Test("the journal, its -wal, -shm and lock are mode 0600, in a 0700 folder it creates")
    func privateModes() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let writer = try JournalWriter(path: temp.folder + "/nested/journal.sqlite")
        writer.append(Fixtures.record(status: 503))
        await writer.flush()
        let path = writer.path
        for file in [path, path + "-wal", path + "-shm", path + ".lock"] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file) missing")
            #expect(temp.mode(file) == 0o600, "\(file) is \(String(temp.mode(file), radix: 8))")
        }
        #expect(temp.mode(temp.folder + "/nested") == 0o700)
        await writer.close()
    }

    @Test("a second writer is refused with the pid that holds the lock; after close it may open")
    func secondWriterRefused() async throws {
        let temp = try TemporaryJournal()
        defer { temp.cleanUp() }
        let first = try JournalWriter(path: temp.path)
        let error = try #require(throws: JournalError.self) { try JournalWriter(path: temp.path) }
        #expect(error == .lockedByAnotherWriter(path: temp.path, pid: getpid()))
        #expect(error.description.contains("pid \(getpid())"))
        // Readers need no lock.
        #expect(try JournalReader(path: temp.path).events(after: 0).isEmpty)
        await first.close()
        let second = try JournalWriter(path: temp.path)
        await second.close()
    }
}
