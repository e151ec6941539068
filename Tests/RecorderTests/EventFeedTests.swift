import Foundation
import Journal
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
        let feed = EventFeed(reader: try JournalReader(path: folder.journal), options: EventStreamOptions())
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
}
