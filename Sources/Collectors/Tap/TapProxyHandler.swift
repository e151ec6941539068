import Foundation
import ManagementAPI
import NIOCore
import NIOHTTP1

/// What every job connection of one tap shares.
struct TapSettings: Sendable {
    let configuration: TapConfiguration
    let pools: UpstreamPools
    let clock: any WallClock
    /// Calls between their head and the end of their answer, which a stopping tap waits for.
    let inFlight: TapInFlight
    /// Connections and request bytes, shared by all of the tap's connections.
    let limits: TapLimits
    /// Hands the queued calls over; called once answers are written.
    let wake: @Sendable () -> Void
    /// Takes each call on the answer's path: it must only queue, never wait.
    let offer: @Sendable (TappedCall) -> Void
    /// Which CONNECT hosts are decrypted and which tunnelled.
    let rules: ProxyRules
    /// The upstream's host: an absolute-form request naming it goes there as it would anyway.
    let upstreamHosts: Set<String>
    /// Leaves for the API's hosts; nil when the tap was started without one (then a CONNECT
    /// to an API host is answered 502 with why).
    let authority: AuthorityStore?
    /// Who is calling, looked up once per connection; nil when the tap does not look.
    let callers: CallerLookup?
    let tunnels: TunnelCounts
    let refusedHandshakes: RefusedHandshakes
    /// The connection is a decrypted one (after a CONNECT, or on the TLS listener).
    var intercepted = false
    /// This connection's caller, being looked up (set per connection by `TapChildChannel`;
    /// a CONNECT's decrypted calls keep their connection's).
    var caller: CallerCell?

    func intercepting() -> TapSettings {
        var copy = self
        copy.intercepted = true
        return copy
    }
}

/// One job's connection to the tap. It reads each call, forwards it on a kept-alive upstream
/// connection of the same event loop, and writes the answer back as it comes, so a call costs
/// no thread hop and no task. Its record is only offered to the side queue.
///
/// Calls are answered one at a time, in order. A call pipelined behind one in flight is held
/// here until that answer has gone, rather than by NIO's HTTPServerPipelineHandler, which
/// stops and restarts reading around every call: two epoll_ctl calls per call, a fifth of
/// the tap's system calls. Reading pauses only when many parts are held.
///
/// The job's side is here; the upstream's answer is in TapProxyHandler+Answer.swift, and the
/// tap's own answers and the closing of the connection in TapProxyHandler+Writing.swift.
final class TapProxyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Parts of pipelined calls held before reading pauses.
    static let maxHeldParts = 64

    let settings: TapSettings
    var tokens: TapTokens
    var context: ChannelHandlerContext?
    var pool: UpstreamPool?
    /// The connection's protocol state, one pure value: this handler carries out its actions.
    var machine = TapConnectionStateMachine<TapExchange>()
    var timer: Scheduled<Void>?
    /// The connection's loop, kept after the job has gone for the call still in flight.
    var eventLoop: (any EventLoop)?
    /// Parts of calls that arrived while one was in flight, in order.
    var held = CircularBuffer<HTTPServerRequestPart>()
    var readingPaused = false
    var resuming = false
    /// The end of the last answer written: closing waits for it, since closing a channel
    /// drops what it has not written yet.
    var lastWrite: EventLoopFuture<Void>?
    var connectVersion = HTTPVersion.http1_1
    /// A tunnel's other side, between its connect and the 200.
    var tunnelPeer: (any Channel)?

    init(settings: TapSettings) {
        self.settings = settings
        tokens = TapTokens(labels: settings.configuration.labels)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        eventLoop = context.eventLoop
        pool = settings.pools.pool(on: context.eventLoop)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        held.removeAll()
        if let exchange = machine.forwarded {
            guard case .streaming = exchange.answer else {
                // The job has gone, but its call was sent: it runs to its answer (or its
                // timeout) and is recorded.
                return
            }
            // A success whose head the job had: its record is made, its rest has no reader.
            drop(exchange)
            machine.abandoned()
        }
        // A request the job did not finish is never forwarded; a tunnel still opening is not.
        closeTunnelPeer()
        machine.removed()
        timer?.cancel()
        timer = nil
        // A connection closed in the middle of a read never sees that read complete.
        settings.wake()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if machine.isForwarding {
            guard !machine.closing else { return }
            held.append(part)
            if held.count >= Self.maxHeldParts, !readingPaused {
                readingPaused = true
                try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
            }
            return
        }
        handle(part, context: context)
    }

    func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            guard machine.takesHead else { return }
            begin(head, context: context)
        case .body(var part):
            let (exchange, action) = machine.receivedBody(bytes: part.readableBytes)
            perform(action)
            guard let exchange else { return }
            guard exchange.reserve(part.readableBytes) else {
                refuse(exchange, .serviceUnavailable, code: "service_unavailable",
                       "the tap holds its limit of \(Self.bytes(settings.limits.maxBufferedBytes)) of request bodies; not forwarded, try again")
                return
            }
            if exchange.body == nil { exchange.body = part } else { exchange.body!.writeBuffer(&part) }
            if exchange.body!.readableBytes > settings.configuration.maxRequestBody { refuseTooLarge(exchange) }
        case .end:
            perform(machine.receivedEnd())
        }
    }

    /// The end of a burst of reads: hands over the records of calls refused in it (an answer
    /// the tap gave before the request ended, whose job may never finish sending).
    func channelReadComplete(context: ChannelHandlerContext) {
        settings.wake()
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            perform(machine.quiesce())
        case IdleStateHandler.IdleStateEvent.all:
            perform(machine.idleTimeout())
        case ChannelEvent.inputClosed:
            perform(machine.inputClosed(heldEmpty: held.isEmpty))
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is ByteToMessageDecoderError {
            // Bytes after a parse error: the close is already on its way, after the answer in flight.
            return
        }
        guard let parserError = error as? HTTPParserError else {
            context.close(promise: nil)
            return
        }
        if case .invalidEOFState = parserError {
            perform(machine.cutOff())
        } else {
            perform(machine.unreadable())
        }
    }

    /// Carries out what the state machine says.
    func perform(_ action: TapConnectionStateMachine<TapExchange>.Action) {
        switch action {
        case .none:
            break
        case .dropHeld:
            held.removeAll()
        case .close:
            held.removeAll()
            closeTunnelPeer()
            closeWhenWritten()
        case .answerTimeout(let exchange):
            refuse(exchange, .requestTimeout, code: "request_timeout",
                   "the job sent nothing of its request for \(settings.configuration.clientTimeout); not forwarded", recorded: false)
            closeWhenWritten()
        case .answerUnreadable(let exchange):
            held.removeAll()
            answerUnreadable(exchange, version: exchange?.head.version ?? .http1_1)
        case .forward(let exchange):
            forward(exchange)
        case .endConnect:
            endConnect()
        case .answered:
            becameIdle()
        case .resumeHeld:
            resumeHeld()
            perform(machine.resumed(heldEmpty: held.isEmpty))
        }
    }

    func closeTunnelPeer() {
        tunnelPeer?.close(promise: nil)
        tunnelPeer = nil
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if let exchange = machine.forwarded, case .streaming = exchange.answer, let upstream = exchange.upstream {
            let writable = context.channel.isWritable
            upstream.read(writable)
            // The upstream was paused for the job, not stalled: its time starts again. A job
            // that reads nothing for a whole timeout is cut, as nginx's send_timeout does.
            if writable { extendDeadline(exchange) }
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: The job's request

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let target = TapTarget.originForm(head.uri)
        let (path, query) = TapTarget.split(target)
        let call = TapCallStart(time: settings.clock.now(), stopwatch: .now, token: tokens.reference(head.headers.first(name: "authorization")),
                                method: head.method.rawValue, path: path, query: query, caller: settings.caller,
                                userAgent: head.headers.first(name: "user-agent"))
        let exchange = TapExchange(call: call, head: head, target: target, inFlight: settings.inFlight, limits: settings.limits)
        machine.receivedHead(exchange)
        if head.method == .CONNECT {
            // An HTTPS proxy's request: a tunnel or TLS for an API host, never a call.
            beginConnect(exchange)
            return
        }
        let expectsContinue = head.headers["expect"].contains { $0.lowercased() == "100-continue" }
        let tooLarge = head.headers.first(name: "content-length").flatMap { Int($0) }.map { $0 > settings.configuration.maxRequestBody } ?? false
        if let host = TapTarget.absoluteHost(head.uri), !settings.rules.isAPIHost(host), !settings.upstreamHosts.contains(ProxyRules.normal(host)) {
            // A plain-HTTP proxy request for another service: never sent to the API with that
            // service's headers (its credentials), and not a call of the API.
            refuse(exchange, .forbidden, code: "forbidden",
                   "the tap forwards only to the API; a request for \(host) is not sent anywhere", recorded: false)
        } else if head.headers["sec-fetch-site"].contains(where: { $0.trimmingSpaces.lowercased() != "none" }) {
            // A request a web page made (cross-site, or same-site from another port of
            // 127.0.0.1, or same-origin through DNS rebinding): no job sends Sec-Fetch-Site, and
            // a web page must not fill the journal. `none` is a person typing the address.
            refuse(exchange, .forbidden, code: "forbidden", "a request a web page made is not forwarded", recorded: false)
        } else if !TapTarget.isValid(target) {
            refuse(exchange, .badRequest, code: "invalid_request", "the request target is not a valid path; not forwarded")
        } else if let refusal = HopByHop.refusal(head.headers) {
            refuse(exchange, .badRequest, code: "invalid_request", refusal)
        } else if tooLarge {
            refuseTooLarge(exchange)
        } else {
            if expectsContinue {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
            return
        }
        // A job that waits for 100 Continue sends no body after a refusal: nothing is left to read.
        if expectsContinue { closeWhenWritten() }
    }

    /// 128 MiB, 64 KiB: a limit as a person reads it.
    static func bytes(_ count: Int) -> String { count >= 1 << 20 ? "\(count >> 20) MiB" : "\(count >> 10) KiB" }

    private func refuseTooLarge(_ exchange: TapExchange) {
        refuse(exchange, .payloadTooLarge, code: "payload_too_large",
               "the request body is larger than the tap's \(settings.configuration.maxRequestBody >> 20) MiB limit; not forwarded")
    }

    /// Answers before the request has ended, with `Connection: close`: the rest of the
    /// request is read and dropped (up to `maxDrained` bytes), so the job reads the answer
    /// instead of a reset, and a job that sends no body after all cannot have its next call
    /// read as this one's body.
    func refuse(_ exchange: TapExchange, _ status: HTTPResponseStatus, code: String, _ description: String,
                recorded: Bool = true) {
        machine.refused()
        exchange.body = nil
        answer(exchange, status, code: code, description, recorded: recorded)
    }

    /// Once a call is answered: close, or go on with the calls held.
    func becameIdle() {
        perform(machine.answered())
        // After the answer is flushed and held calls are on their way: the wake's thread
        // switch no longer delays an answer, and no record queued here waits for a later call.
        settings.wake()
    }

    private func resumeHeld() {
        guard !resuming, let context else { return }
        resuming = true
        defer { resuming = false }
        while !held.isEmpty {
            if machine.isForwarding { break }
            // A refused call still reads its held rest, so that its end closes the connection.
            if machine.closing, case .idle = machine.state { break }
            handle(held.removeFirst(), context: context)
        }
        if readingPaused, held.count < Self.maxHeldParts / 2 {
            readingPaused = false
            try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        }
    }
}
