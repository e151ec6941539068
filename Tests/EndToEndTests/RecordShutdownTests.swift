import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
import TestSupport

/// SIGTERM while a job's call is still waiting on the upstream: the recorder stops taking
/// new calls, lets that one finish, journals it, and only then exits 0.
@Suite("mapitop record: graceful shutdown")
struct RecordShutdownTests {
    static let body = #"{"metadata":{"title":"slow"}}"#

    /// An upstream whose `POST /slow` answers 400 only once `gate` opens (counting arrivals),
    /// and whose `GET /fast` answers 200 at once.
    final class Arrivals: Sendable {
        private let count = Atomic(0)
        func add() { count.add(1, ordering: .sequentiallyConsistent) }
        var value: Int { count.load(ordering: .sequentiallyConsistent) }
    }

    static func upstream(_ gate: Gate, arrivals: Arrivals) -> some ApplicationProtocol {
        let router = Router()
        router.post("/slow") { _, _ in
            arrivals.add()
            await gate.wait()
            return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(
                string: #"{"errors":[{"code":"invalid_body","description":"slow and wrong"}]}"#)))
        }
        router.get("/fast") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "{}"))) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    @Test("a SIGTERM sent the moment the runtime file names the recorder is a graceful stop: exit 0, the file removed")
    func stopAsSoonAsPublished() async throws {
        // The runtime file says "stop me gracefully now works": before, it was written before
        // SIGTERM was trapped, and a stop sent at once killed the recorder (143, journal unflushed).
        for _ in 0..<5 {
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let recorder = try await RecorderProcess.start(home: home)
            #expect(await recorder.terminate() == 0, "stderr: \(recorder.stderr)")
            #expect(!FileManager.default.fileExists(atPath: home.runtimeFile))
        }
    }

    @Test("a call in flight when SIGTERM comes still gets its answer, is in the journal after exit, and the exit is 0")
    func drainsInFlightCall() async throws {
        let gate = Gate()
        let arrivals = Arrivals()
        try await Self.upstream(gate, arrivals: arrivals).test(.live) { server in
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let recorder = try await RecorderProcess.start(home: home, tap: true, arguments: ["--api-base", "http://127.0.0.1:\(server.port!)"])
            let tap = try #require(recorder.tapBase)
            #expect(try await RecordClient.call(tap + "/fast").status == 200)

            let inFlight = Task { try await RecordClient.call(tap + "/slow", method: .POST, secret: "slow-job-secret", body: Self.body) }
            #expect(await RecordClient.eventually { arrivals.value == 1 }, "the call never reached the upstream")

            recorder.signal(SIGTERM)
            // Shutting down: the tap no longer takes new calls (which /fast would answer at
            // once), while the slow one still waits on the gate.
            let closed = await RecordClient.eventually {
                guard !recorder.hasExited else { return true }
                do {
                    _ = try await RecordClient.call(tap + "/fast", timeout: .seconds(2))
                    return false
                } catch {
                    return true
                }
            }
            #expect(closed, "the tap kept taking new calls after SIGTERM")
            #expect(!recorder.hasExited, "the recorder exited with a call in flight")

            gate.open()
            let answer = try await inFlight.value
            #expect(answer.status == 400)
            #expect(answer.body.contains("slow and wrong"))
            #expect(await recorder.waitForExit() == 0, "stderr: \(recorder.stderr)")
            #expect(!FileManager.default.fileExists(atPath: home.runtimeFile))

            let reader = try JournalReader(path: home.journal)
            defer { try? reader.close() }
            let journaled = try reader.failedCalls(from: .distantPast, to: .distantFuture).filter { $0.record.path == "/slow" }
            #expect(journaled.count == 1)
            #expect(journaled.first?.record.outcome.status == 400)
            #expect(journaled.first?.requestBody?.bytes == Data(Self.body.utf8))
        }
    }
}
