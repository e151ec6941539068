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
        machine.beganConnect()
        // Nothing more is read until the connection is handed over (or closed): NIO's decoder
        // holds what follows a CONNECT's head without a limit, and a job that streams after a
        // refused or slow CONNECT must not fill the tap's memory.
        try? context?.channel.syncOptions?.setOption(.autoRead, value: false)
        carryOut(machine.connect.receivedHead(exchange.head, rules: settings.rules, intercepted: settings.intercepted))
    }

    func endConnect() { carryOut(machine.connect.receivedEnd()) }

    private func carryOut(_ action: ConnectStateMachine.Action) {
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
        machine.connectRefused()
        held.removeAll()
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
                    guard self.context != nil, !self.machine.closing, case .connect = self.machine.state else {
                        // The job hung up, or the tap began to stop, while the tunnel was opening.
                        peer.close(promise: nil)
                        return
                    }
                    self.tunnelPeer = peer
                    self.carryOut(self.machine.connect.connected())
                case .failure(let error):
                    guard case .connect = self.machine.state else { return }
                    self.carryOut(self.machine.connect.connectFailed(Self.describe(error)))
                }
            }
    }

    private func establishTunnel(host: String, context: ChannelHandlerContext) {
        guard let peer = tunnelPeer else { return }
        tunnelPeer = nil
        do {
            try handOver(context) { sync in
                let (jobSide, hostSide) = TunnelGlue.matchedPair()
                for channel in [context.channel, peer] {
                    try channel.syncOptions?.setOption(.recvAllocator, value: TunnelGlue.reads)
                    try channel.syncOptions?.setOption(.writeBufferWaterMark, value: TunnelGlue.pending)
                }
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
        // The leaf is made before the 200 (on NIO's blocking pool unless it is kept): a broken
        // authority is a 502 with its reason, which the job shows, rather than a handshake
        // that fails without one.
        guard let authority = settings.authority else {
            interceptionFailed(host: host, AuthorityError("the tap was started without an authority"))
            return
        }
        authority.context(for: host, on: context.eventLoop).assumeIsolated().whenComplete { result in
            guard let context = self.context, case .connect = self.machine.state, !self.machine.closing else { return }
            switch result {
            case .success:
                do {
                    let settings = self.settings
                    try self.handOver(context) { _ in try InterceptedPipeline.install(on: context.channel, fallback: host, settings: settings) }
                } catch {
                    context.close(promise: nil)
                }
            case .failure(let error):
                self.interceptionFailed(host: host, error)
            }
        }
    }

    private func interceptionFailed(host: String, _ error: any Error) {
        settings.refusedHandshakes.note(host: host, reason: "\(error)", clientRefused: false)
        carryOut(machine.connect.interceptionFailed("the tap cannot decrypt \(host): \(error)"))
    }

    /// Answers 200 and gives the connection over: the HTTP encoder goes first (the 200 is
    /// written raw after it), `install` adds what follows, then this handler and the HTTP
    /// decoder leave the pipeline, and reading starts again.
    private func handOver(_ context: ChannelHandlerContext,
                          install: (ChannelPipeline.SynchronousOperations) throws -> Void) throws {
        let sync = context.pipeline.syncOperations
        let encoder = try sync.handler(type: HTTPResponseEncoder.self)
        let decoder = try sync.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
        sync.removeHandler(encoder, promise: nil)
        context.writeAndFlush(NIOAny(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n")), promise: nil)
        machine.handedOver()
        try install(sync)
        sync.removeHandler(context: context, promise: nil)
        // What the job sent after the CONNECT's head (a client that did not wait for the 200)
        // goes on to what took the connection over.
        // Its removal completes on a later turn of the loop, when it has handed them on; they
        // come without a read-complete, on which the tunnel flushes, so one follows. Only then
        // does reading start again, so nothing newer overtakes them.
        let channel = context.channel
        let removed = channel.eventLoop.makePromise(of: Void.self)
        sync.removeHandler(decoder, promise: removed)
        removed.futureResult.assumeIsolated().whenComplete { _ in
            channel.pipeline.syncOperations.fireChannelReadComplete()
            try? channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as IOError: return error.description
        case is ChannelError: return "\(error)"
        default: return String(describing: error)
        }
    }
}
