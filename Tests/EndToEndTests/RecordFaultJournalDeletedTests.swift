import Foundation
import Hummingbird
import HummingbirdTesting
import NIOHTTP1
import Simulator
import Testing

/// The journal deleted under a running recorder (a clean-up script, a careless `rm`): the tap
/// must keep answering, and the writer recreates the file so calls are recorded again.
@Suite("mapitop record with its journal deleted while it runs")
struct RecordFaultJournalDeletedTests {
    static let job = SimulatedToken(label: "job", secret: "record-fault-deleted-secret-6631")

    @Test("after journal.sqlite, -wal and -shm are deleted, the tap keeps answering and every call made after it is in the recreated file, read back by the running recorder and by a restarted one")
    func journalDeleted() async throws {
        let simulator = buildApplication(SimulatorConfiguration(port: 0, seed: 11, tokens: [Self.job], quotaPerMinute: 1_000_000))
        try await simulator.test(.live) { server in
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let recorder = try await RecorderProcess.start(home: home, tap: true, arguments: ["--api-base", "http://127.0.0.1:\(server.port!)"])
            let tap = try #require(recorder.tapBase)
            let fail = { try await RecordClient.call(tap + "/v2/sites/Abcd1234/media/", method: .POST, secret: Self.job.secret,
                                                     body: RecordLoopbackTests.invalidMedia, timeout: .seconds(60)) }

            #expect(try await fail().status == 400)
            let recordedBefore = try await RecordClient.eventually {
                RecordLoopbackTests.failed(try await RecordClient.calls(recorder.adminBase), status: 400).count == 1
            }
            #expect(recordedBefore)

            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: home.journal + suffix) }
            #expect(!FileManager.default.fileExists(atPath: home.journal))
            let deletedAt = Date()

            // Keep calling as jobs would: every call is answered, and the writer puts a new
            // file at the path (its next batch notices the path's inode is gone).
            var statuses: [Int] = []
            let recreated = try await RecordClient.eventually(within: .seconds(60)) {
                statuses.append(try await fail().status)
                return FileManager.default.fileExists(atPath: home.journal)
            }
            #expect(recreated, "the journal was not recreated after \(statuses.count) calls; stderr: \(recorder.stderr)")
            for _ in 0..<3 { statuses.append(try await fail().status) }
            #expect(statuses.allSatisfy { $0 == 400 }, "the tap stopped answering: \(statuses)")
            #expect(!recorder.hasExited, "the recorder died: \(recorder.stderr)")

            // The running recorder's own admin server reads the new file, not the unlinked one.
            var live = -1
            let servedLive = try await RecordClient.eventually(within: .seconds(60)) {
                live = RecordLoopbackTests.failed(try await RecordClient.calls(recorder.adminBase, from: deletedAt), status: 400).count
                return live == statuses.count
            }
            #expect(servedLive, "the live /v1/calls shows \(live) of the \(statuses.count) calls made after the deletion")
            #expect(await recorder.terminate() == 0, "stderr: \(recorder.stderr)")

            // And a new process reads the same from the file on disk.
            let second = try await RecorderProcess.start(home: home, arguments: ["--api-base", "http://127.0.0.1:\(server.port!)"])
            let after = RecordLoopbackTests.failed(try await RecordClient.calls(second.adminBase, from: deletedAt), status: 400).count
            #expect(after == statuses.count, "\(after) of \(statuses.count) calls made after the deletion are in the recreated journal")
            #expect(await second.terminate() == 0, "stderr: \(second.stderr)")
        }
    }
}
