import Foundation
import Journal
import ManagementAPI
import NIOCore
import Synchronization
import Wire

/// One SSE client's producer: reads the journal past `seq`, queues each row as an SSE chunk
/// in a bounded buffer, then polls for new rows. It never waits on the socket itself: when
/// the buffer stays full past `stallTimeout` the client is not reading, and it gives up.
struct EventFeed: Sendable {
    enum End: Sendable {
        /// Cancelled: the client went away or the server stops.
        case cancelled
        /// The client did not read; the caller drops the connection.
        case stalled(lastQueuedSeq: Int64)
        /// The journal could not be read.
        case failed(String)
    }

    let reader: JournalReader
    let options: EventStreamOptions
    /// Bytes queued for the client and not yet written: the body takes them off as it writes.
    let queued: QueuedBytes
    /// The writer's commits when it is in this process: a caught-up feed wakes on the next
    /// one, so an event leaves as soon as its row is written; without it, the feed polls.
    var commits: CommitSignal?

    func run(after seq: Int64, into buffer: AsyncStream<ByteBuffer>.Continuation) async -> End {
        var last = seq
        var lastSent = ContinuousClock.now
        // Rows asked for next: few at first, then as many as the last page's rows let fit.
        var limit = min(options.pageSize, 50)
        guard await push(ByteBuffer(string: ": open\n\n"), buffer) else {
            // Cancelled before the first chunk (a shutdown as the client connected) is not a stall.
            return Task.isCancelled ? .cancelled : .stalled(lastQueuedSeq: last)
        }
        while !Task.isCancelled {
            let generation = commits?.generation
            let events: [JournalEvent]
            do {
                events = try await reader.eventsPage(after: last, limit: limit)
            } catch is CancellationError {
                // The client went away or the server stops: not the journal's fault.
                return .cancelled
            } catch {
                return .failed(String(describing: error))
            }
            var pageBytes = 0
            for event in events {
                let chunk = Self.chunk(event)
                pageBytes += chunk.readableBytes
                guard await push(chunk, buffer) else {
                    return Task.isCancelled ? .cancelled : .stalled(lastQueuedSeq: last)
                }
                last = event.seq
                lastSent = .now
            }
            let asked = limit
            if !events.isEmpty { limit = max(1, min(options.pageSize, options.clientBufferBytes / max(1, pageBytes / events.count))) }
            if events.count == asked { continue }
            let quiet = ContinuousClock.now - lastSent
            if quiet >= options.keepAliveInterval {
                guard await push(ByteBuffer(string: ": keep-alive\n\n"), buffer) else {
                    return Task.isCancelled ? .cancelled : .stalled(lastQueuedSeq: last)
                }
                lastSent = .now
                continue
            }
            let wait = options.keepAliveInterval - quiet
            if let commits, let generation {
                await commits.wait(past: generation, timeout: wait)
            } else {
                try? await Task.sleep(for: min(options.pollInterval, wait))
            }
        }
        return .cancelled
    }

    /// Queues a chunk, waiting up to `stallTimeout` for room; false when there was none.
    private func push(_ chunk: ByteBuffer, _ buffer: AsyncStream<ByteBuffer>.Continuation) async -> Bool {
        let deadline = ContinuousClock.now + options.stallTimeout
        while !Task.isCancelled {
            // Past the byte budget waits as a full buffer does (one chunk alone always goes).
            guard queued.reserve(chunk.readableBytes, within: options.clientBufferBytes) else {
                if ContinuousClock.now >= deadline { return false }
                try? await Task.sleep(for: .milliseconds(10))
                continue
            }
            switch buffer.yield(chunk) {
            case .enqueued: return true
            case .terminated:
                queued.release(chunk.readableBytes)
                return false
            case .dropped:
                // Full: the socket is not taking what was queued. Look again shortly rather
                // than hold a second copy; bounded by the deadline.
                queued.release(chunk.readableBytes)
                if ContinuousClock.now >= deadline { return false }
                try? await Task.sleep(for: .milliseconds(10))
            @unknown default:
                queued.release(chunk.readableBytes)
                return false
            }
        }
        return false
    }

    /// `id`, `event` and `data` lines; the JSON is one line, so one `data:` line suffices.
    static func chunk(_ event: JournalEvent) -> ByteBuffer {
        ByteBuffer(string: "id: \(event.seq)\nevent: \(event.kind)\ndata: \(WireFormat.line(event))\n\n")
    }
}

/// Bytes queued for one event stream's client and not yet written.
final class QueuedBytes: Sendable {
    private let bytes = Atomic<Int>(0)

    /// Takes `count` bytes if they fit in `budget`, or if nothing else is queued (a chunk larger
    /// than the budget still goes, alone); false when they must wait.
    func reserve(_ count: Int, within budget: Int) -> Bool {
        var current = bytes.load(ordering: .relaxed)
        while current == 0 || current + count <= budget {
            let (exchanged, original) = bytes.compareExchange(expected: current, desired: current + count, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release(_ count: Int) { bytes.subtract(count, ordering: .relaxed) }

    var current: Int { bytes.load(ordering: .relaxed) }
}
