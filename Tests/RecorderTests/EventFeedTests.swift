import Foundation
import Journal
import ManagementAPI
import NIOCore
@testable import Recorder
import Testing

@Suite("Recorder: one SSE client's feed")
struct EventFeedTests {
    @Test("a feed cancelled before its first chunk (a shutdown as the client connects) ends as cancelled, not as a stalled client")
    func cancelledBeforeOpening() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        let feed = EventFeed(reader: try JournalReader(path: folder.journal), options: EventStreamOptions(), queued: QueuedBytes())
        let (_, buffer) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(1))
        let end = await Task {
            // Cancelled from inside, so it is cancelled before the feed runs, every time.
            withUnsafeCurrentTask { $0?.cancel() }
            return await feed.run(after: 0, into: buffer)
        }.value
        if case .cancelled = end {} else {
            Issue.record("ended as \(end)")
        }
        await writer.close()
    }

    @Test("events of a megabyte each: what waits for a client that does not read stays within the byte budget, not 256 chunks")
    func queuedBytesBounded() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        let description = String(repeating: "x", count: 1 << 20)
        for index in 0..<20 {
            writer.append(Fixtures.record(at: Double(index), status: 500, errors: [ErrorEntry(code: "boom", description: description)]))
        }
        await writer.flush()
        var options = EventStreamOptions()
        options.clientBufferBytes = 2 << 20
        options.stallTimeout = .milliseconds(200)
        let queued = QueuedBytes()
        let feed = EventFeed(reader: try JournalReader(path: folder.journal), options: options, queued: queued)
        // Nobody reads the stream: the feed queues what the budget allows, then gives up.
        let (stream, buffer) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(options.clientBuffer))
        let end = await feed.run(after: 0, into: buffer)
        guard case .stalled = end else {
            Issue.record("ended as \(end)")
            return
        }
        #expect(queued.current <= options.clientBufferBytes + (1 << 20) + 4_096, "\(queued.current) bytes queued")
        print("event stream of 20 one-MiB events to a client that does not read: \(queued.current >> 10) KiB queued, \(String(format: "%.3f", Double(queued.current) / Double(20 << 20))) of what was there to send")
        withExtendedLifetime(stream) {}
        await writer.close()
    }
}
