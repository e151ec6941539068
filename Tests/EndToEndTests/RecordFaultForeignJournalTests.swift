import Foundation
import GRDB
import Testing

/// A file at the journal path that is not a mapitop journal: the recorder refuses it with one
/// line naming the path and exit 78, and never writes to it (it may be someone's data).
@Suite("mapitop record refuses a corrupt or foreign journal")
struct RecordFaultForeignJournalTests {
    @Test("random bytes at the journal path: one stderr line naming it, exit 78, the file unchanged")
    func randomBytes() async throws {
        let home = try RecorderHome()
        defer { home.cleanUp() }
        var generator = SystemRandomNumberGenerator()
        let bytes = Data((0..<8_192).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try await expectRefused(home: home, bytes: bytes)
    }

    @Test("another application's SQLite database at the journal path: one stderr line naming it, exit 78, the file unchanged")
    func foreignSQLite() async throws {
        let home = try RecorderHome()
        defer { home.cleanUp() }
        try FileManager.default.createDirectory(atPath: (home.journal as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let foreign = try DatabaseQueue(path: home.journal)
        try await foreign.write { db in
            try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('keep me')")
        }
        try foreign.close()
        let bytes = try #require(FileManager.default.contents(atPath: home.journal))
        try await expectRefused(home: home, bytes: bytes)
    }

    private func expectRefused(home: RecorderHome, bytes: Data) async throws {
        try FileManager.default.createDirectory(atPath: (home.journal as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try bytes.write(to: URL(fileURLWithPath: home.journal))
        let recorder = try RecorderProcess.launch(home: home, tap: true)
        let exited = await recorder.waitForExit(timeout: .seconds(60))
        #expect(exited == 78, "exit \(String(describing: exited)); stderr: \(recorder.stderr)")
        let lines = recorder.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1 && lines.first?.contains(home.journal) == true, "stderr: \(recorder.stderr)")
        #expect(FileManager.default.contents(atPath: home.journal) == bytes, "the foreign file was changed")
        for suffix in ["-wal", "-shm", "-journal"] {
            #expect(!FileManager.default.fileExists(atPath: home.journal + suffix), "left \(suffix) beside the foreign file")
        }
    }
}
