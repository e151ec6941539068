import Foundation
import Journal
import NIOCore

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
    /// The writer's commits when it is in this process: a caught-up feed wakes on the next
    /// one, so an event leaves as soon as its row is written; without it, the feed polls.
    var commits: CommitSignal?

    func run(after seq: Int64, into buffer: AsyncStream<ByteBuffer>.Continuation) async -> End {
        var last = seq
        var lastSent = ContinuousClock.now
        guard await push(ByteBuffer(string: ": open\n\n"), buffer) else {
            // Cancelled before the first chunk (a shutdown as the client connected) is not a stall.
            return Task.isCancelled ? .cancelled : .stalled(lastQueuedSeq: last)
        }
        while !Task.isCancelled {
            let generation = commits?.generation
            let events: [JournalEvent]
            do {
                events = try await reader.eventsPage(after: last, limit: options.pageSize)
            } catch is CancellationError {
                // The client went away or the server stops: not the journal's fault.
                return .cancelled
            } catch {
                return .failed(String(describing: error))
            }
            for event in events {
                guard await push(Self.chunk(event), buffer) else {
                    return Task.isCancelled ? .cancelled : .stalled(lastQueuedSeq: last)
                }
                last = event.seq
                lastSent = .now
            }
            if events.count == options.pageSize { continue }
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
            switch buffer.yield(chunk) {
            case .enqueued: return true
            case .terminated: return false
            case .dropped:
                // Full: the socket is not taking what was queued. Look again shortly rather
                // than hold a second copy; bounded by the deadline.
                if ContinuousClock.now >= deadline { return false }
                try? await Task.sleep(for: .milliseconds(10))
            @unknown default: return false
            }
        }
        return false
    }

    /// `id`, `event` and `data` lines; the JSON is one line, so one `data:` line suffices.
    static func chunk(_ event: JournalEvent) -> ByteBuffer {
        ByteBuffer(string: "id: \(event.seq)\nevent: \(event.kind)\ndata: \(WireFormat.line(event))\n\n")
    }
}
