import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// A job's connection to the tap, a plain SwiftNIO pipeline: HTTP/1 parsing and the proxy
/// handler, which answers what cannot be parsed with a 400 in the API's shape, after the call
/// in flight. `TapListener` binds and, on a graceful shutdown, asks each connection to quiesce
/// (the proxy handler closes it once its call in flight is answered).
struct TapChildChannel {
    let settings: TapSettings
    /// Set on the TLS listener: the name whose leaf answers.
    var tlsName: String? = nil

    func setup(channel: any Channel) -> EventLoopFuture<Void> {
        var settings = settings
        let limits = settings.limits
        guard limits.open() else {
            // Full: one clear answer, then the connection closes; no call of it is read or recorded.
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(TapFullAnswer(maxConnections: limits.maxConnections))
            }
        }
        channel.closeFuture.whenComplete { _ in limits.closed() }
        // Who is calling: looked up now, off the event loop, while the job's socket is surely open.
        settings.caller = settings.callers?.start(for: channel)
        return channel.eventLoop.makeCompletedFuture {
            // Silence both ways for the client timeout is an event the proxy handler acts on:
            // reads (a head, a body part) and writes (an answer) both start it again, so a
            // kept-alive connection gets the whole timeout after its last answer.
            let timeout = TimeAmount(settings.configuration.clientTimeout)
            try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: timeout))
            if let tlsName {
                try InterceptedPipeline.install(on: channel, fallback: tlsName, settings: settings)
                return
            }
            try TapHTTPHandlers.add(to: channel.pipeline.syncOperations)
            try channel.pipeline.syncOperations.addHandler(TapProxyHandler(settings: settings))
        }
    }
}

/// The answer of a tap that holds its most connections: a 503 in the API's shape, and a close.
final class TapFullAnswer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    let maxConnections: Int

    private var answered = false

    init(maxConnections: Int) { self.maxConnections = maxConnections }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { answer(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        answer(context)
        context.fireChannelActive()
    }

    private func answer(_ context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        let body = TapOwnAnswer.body(code: "service_unavailable",
                                     description: "the tap holds its limit of \(maxConnections) connections; try again")
        let text = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n"
            + "connection: close\r\n\r\n" + body
        context.writeAndFlush(NIOAny(ByteBuffer(string: text))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

/// Closes the tap's idle upstream connections once its server has stopped.
struct UpstreamPoolsCloser: Service {
    let pools: UpstreamPools

    func run() async {
        try? await gracefulShutdown()
        pools.closeAll()
    }
}
