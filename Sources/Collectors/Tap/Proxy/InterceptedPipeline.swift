import NIOCore
import NIOHTTP1
import NIOSSL
import NIOTLS

/// A decrypted connection to an API host, after a CONNECT's 200 or on the TLS listener: the
/// ClientHello's server name is read first (`SNIHandler`), its leaf chosen (the CONNECT's host,
/// or the listener's address, when the name is absent or not the API's), then TLS, then the
/// same HTTP handlers and proxy handler as an origin-form connection, so every call inside is
/// forwarded, answered and recorded exactly alike.
enum InterceptedPipeline {
    /// `fallback`: the name whose leaf answers a ClientHello without a usable server name.
    static func install(on channel: any Channel, fallback: String, settings: TapSettings) throws {
        let sync = channel.pipeline.syncOperations
        let watch = HandshakeWatch(host: fallback, refused: settings.refusedHandshakes)
        let sni = ByteToMessageHandler(SNIHandler { result in
            let name: String
            switch result {
            case .hostname(let requested) where settings.rules.isAPIHost(requested): name = ProxyRules.normal(requested)
            case .hostname, .fallback: name = fallback
            }
            watch.host = name
            guard let authority = settings.authority else {
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(AuthorityError("the tap has no authority"))
            }
            return authority.context(for: name, on: channel.eventLoop).assumeIsolated().flatMapThrowing { context in
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context), position: .before(watch))
            }.flatMapErrorThrowing { error in
                settings.refusedHandshakes.note(host: name, reason: "\(error)", clientRefused: false)
                channel.close(promise: nil)
                throw error
            }.nonisolated()
        })
        try sync.addHandler(sni)
        try sync.addHandler(watch)
        try TapHTTPHandlers.add(to: sync)
        try sync.addHandler(TapProxyHandler(settings: settings.intercepting()))
    }
}

/// Sits after the TLS handler until the handshake completes: a handshake that fails (the job
/// does not trust the authority, sent no TLS, hung up half way) closes the connection with
/// nothing recorded, and is said once per host per minute. It then steps aside.
final class HandshakeWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    var host: String
    let refused: RefusedHandshakes

    init(host: String, refused: RefusedHandshakes) {
        self.host = host
        self.refused = refused
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case TLSUserEvent.handshakeCompleted:
            context.fireUserInboundEventTriggered(event)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        case is ChannelShouldQuiesceEvent, is IdleStateHandler.IdleStateEvent:
            // No call yet: nothing to finish.
            context.close(promise: nil)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        refused.note(host: host, reason: Self.describe(error), clientRefused: true)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        context.fireChannelInactive()
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOSSLError {
            switch error {
            case .handshakeFailed(let inner): return "handshake failed (\(inner))"
            case .uncleanShutdown: return "the client closed the connection during the handshake"
            default: return "\(error)"
            }
        }
        return "\(error)"
    }
}
