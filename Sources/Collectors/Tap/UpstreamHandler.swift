import NIOCore
import NIOHTTP1

/// What an upstream connection reports about the answer to the call it carries.
protocol UpstreamAnswerDelegate: AnyObject {
    func upstream(_ connection: UpstreamConnection, head: HTTPResponseHead)
    func upstream(_ connection: UpstreamConnection, body: ByteBuffer)
    func upstreamEnded(_ connection: UpstreamConnection)
    func upstreamReadComplete(_ connection: UpstreamConnection)
    /// The connection failed or closed before the answer ended.
    func upstream(_ connection: UpstreamConnection, failed error: any Error)
}

/// One kept-alive connection to the upstream, owned by its event loop's pool while idle and
/// by one call while it carries that call.
final class UpstreamConnection {
    let channel: any Channel
    fileprivate let handler: UpstreamHandler
    /// When it went back to the pool; a connection idle too long is not trusted again.
    var idleSince = NIODeadline.now()
    /// Whether the job's connection asked it to stop reading (the job reads slower than the
    /// upstream sends).
    var paused = false

    init(channel: any Channel, handler: UpstreamHandler) {
        self.channel = channel
        self.handler = handler
    }

    var isActive: Bool { channel.isActive && handler.context != nil }

    /// Sends one request whole and reports its answer to `delegate`.
    func send(_ head: HTTPRequestHead, body: ByteBuffer?, to delegate: any UpstreamAnswerDelegate) {
        handler.connection = self
        handler.delegate = delegate
        guard let context = handler.context else {
            handler.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(NIOAny(HTTPClientRequestPart.head(head)), promise: nil)
        if let body, body.readableBytes > 0 { context.write(NIOAny(HTTPClientRequestPart.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(NIOAny(HTTPClientRequestPart.end(nil)), promise: nil)
    }

    /// Stops reporting to the call that used it: after its answer ended, or when the call
    /// gave up on it.
    func detach() {
        handler.delegate = nil
        handler.connection = nil
    }

    /// Pauses or resumes reading the answer, so a slow job never makes the tap hold a whole
    /// large answer in memory.
    func read(_ on: Bool) {
        guard paused == on else { return }
        paused = !on
        try? channel.syncOptions?.setOption(ChannelOptions.autoRead, value: on)
    }
}

/// The last handler of an upstream connection: hands each part of the answer to the call
/// that sent the request, and reports a connection that fails or closes under it.
final class UpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    fileprivate var context: ChannelHandlerContext?
    fileprivate weak var delegate: (any UpstreamAnswerDelegate)?
    fileprivate var connection: UpstreamConnection?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(ChannelError.ioOnClosedChannel)
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let delegate, let connection else {
            // An answer nobody asked for: the connection can no longer be trusted.
            self.connection = nil
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head): delegate.upstream(connection, head: head)
        case .body(let part): delegate.upstream(connection, body: part)
        case .end: delegate.upstreamEnded(connection)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let delegate, let connection { delegate.upstreamReadComplete(connection) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(ChannelError.eof)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    /// Reports the failure to the call it carries, if any, and always lets go of the
    /// connection: the connection holds this handler, so holding it back would keep both.
    fileprivate func fail(_ error: any Error) {
        let (delegate, connection) = (self.delegate, self.connection)
        self.delegate = nil
        self.connection = nil
        if let delegate, let connection { delegate.upstream(connection, failed: error) }
    }
}
