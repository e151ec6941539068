import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An upstream on loopback whose every answer a test scripts: framing and connection handling
/// that a well-behaved server never shows (an answer cut short, a close after each answer).
/// It counts the connections it accepted and keeps the request heads it read.
final class ScriptedUpstream: Sendable {
    struct Answer: Sendable {
        var status: HTTPResponseStatus = .ok
        var headers: [(String, String)] = [("content-type", "application/json")]
        var body = #"{"media":[]}"#
        /// The Content-Length sent; the body's own length when nil.
        var declaredLength: Int?
        /// Close the connection once this answer is written, saying so with `Connection: close`
        /// as HTTP/1.1 asks (a server that closes without saying so races the next call).
        var close = false
        /// With a `declaredLength` past the body: stop there and keep the connection open,
        /// instead of closing it under the answer.
        var stall = false
    }

    private struct Seen {
        var connections = 0
        var heads: [HTTPRequestHead] = []
        /// Answers written whole into the socket.
        var written = 0
    }

    private final class Tally: Sendable {
        let seen = Mutex(Seen())
    }

    private let tally = Tally()
    private let channel: any Channel
    let port: Int

    var connections: Int { tally.seen.withLock { $0.connections } }
    var heads: [HTTPRequestHead] { tally.seen.withLock { $0.heads } }
    var written: Int { tally.seen.withLock { $0.written } }

    /// Runs `body` with an upstream answering as `answer` says, and stops it afterwards.
    static func with<T>(answer: @escaping @Sendable (HTTPRequestHead) -> Answer, _ body: (ScriptedUpstream) async throws -> T) async throws -> T {
        let upstream = try await ScriptedUpstream(answer: answer)
        do {
            let result = try await body(upstream)
            await upstream.stop()
            return result
        } catch {
            await upstream.stop()
            throw error
        }
    }

    init(answer: @escaping @Sendable (HTTPRequestHead) -> Answer) async throws {
        let tally = self.tally
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                tally.seen.withLock { $0.connections += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(Handler(answer: answer, tally: tally))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let answer: @Sendable (HTTPRequestHead) -> Answer
        let tally: Tally
        var head: HTTPRequestHead?

        init(answer: @escaping @Sendable (HTTPRequestHead) -> Answer, tally: Tally) {
            self.answer = answer
            self.tally = tally
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                tally.seen.withLock { $0.heads.append(head) }
            case .body:
                break
            case .end:
                guard let head else { return }
                let scripted = answer(head)
                var headers = HTTPHeaders(scripted.headers)
                let body = ByteBuffer(string: scripted.body)
                headers.add(name: "content-length", value: String(scripted.declaredLength ?? body.readableBytes))
                if scripted.close { headers.add(name: "connection", value: "close") }
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: scripted.status, headers: headers))), promise: nil)
                if head.method != .HEAD, body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
                let cut = scripted.declaredLength.map { $0 > body.readableBytes } ?? false
                if cut, scripted.stall {
                    context.flush()
                } else if cut || scripted.close {
                    // A cut answer never ends: the connection closes under it.
                    context.writeAndFlush(wrapOutboundOut(cut ? .body(.byteBuffer(ByteBuffer())) : .end(nil))).assumeIsolated().whenComplete { _ in
                        context.close(promise: nil)
                    }
                } else {
                    let tally = self.tally
                    context.writeAndFlush(wrapOutboundOut(.end(nil))).whenSuccess { tally.seen.withLock { $0.written += 1 } }
                }
            }
        }
    }
}
