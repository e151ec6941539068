import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// `GET /v1/events?since=SEQ`: Server-Sent Events from the journal after SEQ (or after the
/// `Last-Event-ID` a reconnecting client sends, which wins), then live as rows are written.
///
/// Two tasks per client: the feed (a child task) reads the journal into a bounded buffer, and
/// the response body drains the buffer into the socket. A client that stops reading blocks
/// the body in `write` (NIO's back-pressure); the buffer then stays full, the feed gives up,
/// and closes the connection, which fails the write the body waits in. Memory per client
/// stays at one buffer. When the feed stops for a shutdown, the body gets `stallTimeout` for
/// all its remaining writes, the response's end included, before the connection is closed
/// the same way.
enum EventsRoute {
    static let lastEventID = HTTPField.Name("Last-Event-ID")!

    /// How the feed ended, recorded before it finishes the buffer: when the body sees the
    /// stream end it knows whether to close the response cleanly or drop the connection.
    private final class FeedEnd: Sendable {
        private let value = Mutex<EventFeed.End?>(nil)
        var current: EventFeed.End? { value.withLock { $0 } }
        func record(_ end: EventFeed.End) { value.withLock { $0 = end } }
    }

    private struct ClientStalled: Error {}

    /// `close`: closes the client's connection, so a write that will never complete fails.
    static func respond(
        _ request: Request, _ sources: AdminSources, _ options: EventStreamOptions, _ streams: StreamSlots, _ logger: Logger,
        close: @escaping @Sendable () -> Void
    ) throws -> Response {
        let since = try startSeq(request)
        guard let slot = streams.take() else {
            throw AdminError(
                status: .serviceUnavailable, code: "service_unavailable",
                description: "The recorder already serves \(streams.limit) event streams; try again later.")
        }
        let queued = QueuedBytes()
        let feed = EventFeed(reader: sources.reader, options: options, queued: queued, commits: sources.commits)
        let body = ResponseBody { writer in
            // Held for as long as the stream runs; released with the body, however it ends.
            defer { withExtendedLifetime(slot) {} }
            let (stream, buffer) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(options.clientBuffer))
            let feedEnd = FeedEnd()
            var writeError: (any Error)?
            var ended = false
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    // On the server's graceful shutdown the feed ends and the response
                    // completes, so a viewer's open stream does not hold the shutdown up.
                    let end = await cancelWhenGracefulShutdown { await feed.run(after: since, into: buffer) }
                    feedEnd.record(end)
                    buffer.finish()
                    if case .stalled = end {
                        close()
                        return
                    }
                    // The feed stopped (shutdown, or the journal failed): the body has
                    // `stallTimeout` to send what is queued *and* the response's end. Each of
                    // those writes waits while the socket is full, so a client that is not
                    // reading would otherwise hold the body, and the shutdown, forever.
                    guard !Task.isCancelled else { return }
                    try? await Task.sleep(for: options.stallTimeout)
                    if !Task.isCancelled { close() }
                }
                do {
                    for await chunk in stream {
                        try await writer.write(chunk)
                        queued.release(chunk.readableBytes)
                    }
                    // Still inside the deadline above: the end can wait on the socket as
                    // long as any chunk, when the last chunk left it full.
                    if case .cancelled? = feedEnd.current {
                        try await writer.finish(nil)
                        ended = true
                    }
                } catch {
                    // The client went away, or the feed closed a connection whose write was stuck.
                    writeError = error
                }
                // The body is done with the buffer and the socket: the feed, and its
                // deadline, need not wait any longer.
                group.cancelAll()
            }
            switch feedEnd.current {
            case .stalled(let seq)?:
                logger.info("dropped an SSE client that stopped reading", metadata: ["last_queued_seq": "\(seq)"])
                options.onDrop(seq)
                throw ClientStalled()
            case .failed(let reason)?:
                logger.error("SSE feed stopped: the journal could not be read", metadata: ["reason": "\(reason)"])
                throw ClientStalled()
            case .cancelled?, nil:
                // Not ended cleanly: the client went away, or the body was cancelled before the
                // feed stopped. Throwing closes the connection rather than leave it half-sent.
                if !ended { throw writeError ?? CancellationError() }
            }
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"],
            body: body)
    }

    /// `Last-Event-ID` when present (a reconnect), else `since`, else 0 (from the start).
    static func startSeq(_ request: Request) throws -> Int64 {
        if let header = request.headers[lastEventID] {
            guard let seq = Int64(header.trimmingCharacters(in: .whitespaces)), seq >= 0 else {
                throw AdminError.invalid("Last-Event-ID", "must be a sequence number", provided: header)
            }
            return seq
        }
        guard let text = request.uri.queryParameters.get("since") else { return 0 }
        guard let seq = Int64(text), seq >= 0 else {
            throw AdminError.invalid("since", "must be a sequence number", provided: text)
        }
        return seq
    }
}
