import NIOCore
import NIOHTTP1
import NIOPosix

/// A CONNECT, carried out as `ConnectStateMachine` says: the tap's HTTP handlers give the
/// connection over to a blind tunnel or to TLS for an API host, or the CONNECT is answered
/// in the API's error shape and the connection closes. Nothing of it is recorded as a call.
extension TapProxyHandler {
    /// How long a tunnel's host may take to accept.
    static let tunnelConnectTimeout = TimeAmount.seconds(10)

    func beginConnect(_ exchange: TapExchange) {
        connectVersion = exchange.head.version
        state = .connect
        perform(connect.receivedHead(exchange.head, rules: settings.rules, intercepted: settings.intercepted))
    }

    func endConnect() { perform(connect.receivedEnd()) }

    private func perform(_ action: ConnectStateMachine.Action) {
        guard let context else { return }
        switch action {
        case .wait:
            break
        case .refuse(let status, let code, let description):
            refuseConnect(status, code: code, description, context: context)
        case .connect(let host, let port):
            openTunnel(host: host, port: port, context: context)
        case .establishTunnel(let host):
            establishTunnel(host: host, context: context)
        case .establishInterception(let host):
            establishInterception(host: host, context: context)
        }
    }

    /// The refusal of a CONNECT, written raw: NIO's encoder knows the request was a CONNECT
    /// and would drop the body, yet only a 2xx answer to CONNECT is bodiless (RFC 9110), and
    /// the body says why. The connection closes after it; nothing more is read.
    private func refuseConnect(_ status: HTTPResponseStatus, code: String, _ description: String, context: ChannelHandlerContext) {
        let body = TapOwnAnswer.body(code: code, description: description)
        let text = "HTTP/1.\(connectVersion.minor) \(status.code) \(status.reasonPhrase)\r\ncontent-type: application/json\r\n"
            + "content-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n" + body
        closing = true
        held.removeAll()
        state = .idle
        let sync = context.pipeline.syncOperations
        if let encoder = try? sync.handler(type: HTTPResponseEncoder.self) { sync.removeHandler(encoder, promise: nil) }
        lastWrite = context.writeAndFlush(NIOAny(ByteBuffer(string: text)))
        closeWhenWritten()
    }

    private func openTunnel(host: String, port: Int, context: ChannelHandlerContext) {
        ClientBootstrap(group: context.eventLoop)
            .connectTimeout(Self.tunnelConnectTimeout)
            .channelOption(.allowRemoteHalfClosure, value: true)
            // Nothing is read before the glue is in place to pass it on.
            .channelOption(.autoRead, value: false)
            .connect(host: host, port: port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let peer):
                    guard self.context != nil else {
                        // The job hung up while the tunnel was opening.
                        peer.close(promise: nil)
                        return
                    }
                    self.tunnelPeer = peer
                    self.perform(self.connect.connected())
                case .failure(let error):
                    self.perform(self.connect.connectFailed(Self.describe(error)))
                }
            }
    }

    private func establishTunnel(host: String, context: ChannelHandlerContext) {
        guard let peer = tunnelPeer else { return }
        tunnelPeer = nil
        do {
            try handOver(context) { sync in
                let (jobSide, hostSide) = TunnelGlue.matchedPair()
                try sync.addHandler(jobSide)
                try peer.pipeline.syncOperations.addHandler(hostSide)
                try peer.syncOptions?.setOption(.autoRead, value: true)
            }
            settings.tunnels.opened(host)
        } catch {
            peer.close(promise: nil)
            context.close(promise: nil)
        }
    }

    private func establishInterception(host: String, context: ChannelHandlerContext) {
        do {
            // The leaf is made before the 200: a broken authority is a 502 with its reason,
            // which the job shows, rather than a handshake that fails without one.
            guard let authority = settings.authority else { throw AuthorityError("the tap was started without an authority") }
            _ = try authority.context(for: host)
        } catch {
            settings.refusedHandshakes.note(host: host, reason: "\(error)")
            perform(connect.interceptionFailed("the tap cannot decrypt \(host): \(error)"))
            return
        }
        do {
            let settings = settings
            try handOver(context) { _ in try InterceptedPipeline.install(on: context.channel, fallback: host, settings: settings) }
        } catch {
            context.close(promise: nil)
        }
    }

    /// Answers 200 and gives the connection over: the HTTP encoder goes first (the 200 is
    /// written raw after it), `install` adds what follows, then this handler and the HTTP
    /// decoder leave the pipeline.
    private func handOver(_ context: ChannelHandlerContext,
                          install: (ChannelPipeline.SynchronousOperations) throws -> Void) throws {
        let sync = context.pipeline.syncOperations
        let encoder = try sync.handler(type: HTTPResponseEncoder.self)
        let decoder = try sync.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
        sync.removeHandler(encoder, promise: nil)
        context.writeAndFlush(NIOAny(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n")), promise: nil)
        state = .handedOver
        try install(sync)
        sync.removeHandler(context: context, promise: nil)
        sync.removeHandler(decoder, promise: nil)
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as IOError: return error.description
        case is ChannelError: return "\(error)"
        default: return String(describing: error)
        }
    }
}
