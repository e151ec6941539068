import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// A job's connection to the tap, set up as a plain SwiftNIO pipeline inside Hummingbird's
/// server: HTTP/1 parsing and the proxy handler, which answers what cannot be parsed with a
/// 400 in the API's shape, after the call in flight. Hummingbird still binds, reports the
/// port, and on a graceful shutdown asks each connection to quiesce (the proxy handler
/// closes it once its call in flight is answered).
struct TapChildChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let channel: any Channel
    }

    let settings: TapSettings

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // Outbound header validation is off: every header the tap writes either came
            // through NIO's parser, which refuses what the validator looks for, or is the
            // tap's own (a length, Connection). It cost a tenth of a call's CPU.
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false)
            try channel.pipeline.syncOperations.addHandler(TapProxyHandler(settings: settings))
            return Value(channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        try? await value.channel.closeFuture.get()
    }
}

/// Hummingbird's application needs a responder; the tap's connections never call it, since
/// `TapChildChannel` handles every call in its pipeline.
struct UnusedResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    func respond(to request: Request, context: Context) async throws -> Response {
        Response(status: .internalServerError)
    }
}

/// Closes the tap's idle upstream connections once its server has stopped.
struct UpstreamPoolsCloser: Service {
    let pools: UpstreamPools

    func run() async {
        try? await gracefulShutdown()
        pools.closeAll()
    }
}
