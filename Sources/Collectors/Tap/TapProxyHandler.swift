import Foundation
import ManagementAPI
import NIOCore
import NIOHTTP1

/// What every job connection of one tap shares.
struct TapSettings: Sendable {
    let configuration: TapConfiguration
    let pools: UpstreamPools
    let clock: any WallClock
    /// Hands the queued calls over once a burst of answers is written.
    let wake: @Sendable () -> Void
    /// Takes each call on the answer's path: it must only queue, never wait.
    let offer: @Sendable (TappedCall) -> Void
}

/// One job's connection to the tap. It reads each call, forwards it on a kept-alive upstream
/// connection of the same event loop, and writes the answer back as it comes, so a call costs
/// no thread hop and no task. Its record is only offered to the side queue.
///
/// Calls are answered one at a time, in order. A call pipelined behind one in flight is held
/// here until that answer has gone, rather than by NIO's HTTPServerPipelineHandler, which
/// stops and restarts reading around every call: two epoll_ctl calls per call, a fifth of
/// the tap's system calls. Reading pauses only when many parts are held.
final class TapProxyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        /// The job's request, its body still arriving.
        case reading(TapExchange)
        /// Answered before its request ended (a 400, a 413): the rest is read and dropped.
        case refused(TapExchange)
        /// Sent upstream, or on its way there; the answer is written back as it arrives.
        case forwarding(TapExchange)
    }

    /// Parts of pipelined calls held before reading pauses.
    static let maxHeldParts = 64

    private let settings: TapSettings
    private var tokens: TapTokens
    private var context: ChannelHandlerContext?
    private var pool: UpstreamPool?
    private var state = State.idle
    private var timer: Scheduled<Void>?
    /// The connection's loop, kept after the job has gone for the call still in flight.
    private var eventLoop: (any EventLoop)?
    /// Parts of calls that arrived while one was in flight, in order.
    private var held = CircularBuffer<HTTPServerRequestPart>()
    private var readingPaused = false
    private var resuming = false
    /// The job closed its sending side: answer what it sent, then close.
    private var inputClosed = false
    /// The tap is stopping: answer the call in flight with `Connection: close`, then close.
    private var quiescing = false

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
        // The job has gone: a call in flight still runs to its end and is recorded.
        self.context = nil
        if case .forwarding = state { return }
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .forwarding = state {
            held.append(part)
            if held.count >= Self.maxHeldParts, !readingPaused {
                readingPaused = true
                try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
            }
            return
        }
        handle(part, context: context)
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            begin(head, context: context)
        case .body(var part):
            guard case .reading(let exchange) = state else { return }
            if exchange.body == nil { exchange.body = part } else { exchange.body!.writeBuffer(&part) }
            if exchange.body!.readableBytes > settings.configuration.maxRequestBody { refuseTooLarge(exchange) }
        case .end:
            switch state {
            case .reading(let exchange):
                forward(exchange)
            case .refused(let exchange):
                becameIdle(after: exchange.refusal, closing: exchange.closesAfter)
            case .idle, .forwarding:
                break
            }
        }
    }

    /// The end of a burst of reads: hands over the records of calls refused in it (an answer
    /// the tap gave before the request ended, whose job may never finish sending).
    func channelReadComplete(context: ChannelHandlerContext) {
        settings.wake()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A request the job did not finish is never forwarded.
        if case .reading = state { state = .idle }
        held.removeAll()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            quiescing = true
            held.removeAll()
            if case .idle = state { context.close(promise: nil) }
        case ChannelEvent.inputClosed:
            inputClosed = true
            switch state {
            case .idle: if held.isEmpty { context.close(promise: nil) }
            // A request cut off half way is never forwarded.
            case .reading, .refused: context.close(promise: nil)
            case .forwarding: break
            }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if case .forwarding(let exchange) = state, let upstream = exchange.upstream { upstream.read(context.channel.isWritable) }
        context.fireChannelWritabilityChanged()
    }

    // MARK: The job's request

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let target = TapTarget.originForm(head.uri)
        let (path, query) = TapTarget.split(target)
        let call = TapCallStart(time: settings.clock.now(), stopwatch: .now, token: tokens.reference(head.headers.first(name: "authorization")),
                                method: head.method.rawValue, path: path, query: query)
        let exchange = TapExchange(call: call, head: head, target: target)
        state = .reading(exchange)
        guard TapTarget.isValid(target) else {
            refuse(exchange, .badRequest, code: "invalid_request", "the request target is not a valid path; not forwarded")
            return
        }
        if let declared = head.headers.first(name: "content-length").flatMap({ Int($0) }), declared > settings.configuration.maxRequestBody {
            refuseTooLarge(exchange)
            return
        }
        if head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
        }
    }

    private func refuseTooLarge(_ exchange: TapExchange) {
        refuse(exchange, .payloadTooLarge, code: "payload_too_large",
               "the request body is larger than the tap's \(settings.configuration.maxRequestBody >> 20) MiB limit; not forwarded")
    }

    /// Answers before the request has ended; the rest of it is read and dropped, so the job
    /// reads the answer instead of a reset.
    private func refuse(_ exchange: TapExchange, _ status: HTTPResponseStatus, code: String, _ description: String) {
        state = .refused(exchange)
        exchange.body = nil
        exchange.refusal = answer(exchange, status, code: code, description)
    }

    // MARK: Upstream

    private func forward(_ exchange: TapExchange) {
        exchange.call.requestBody = exchange.body ?? ByteBuffer()
        state = .forwarding(exchange)
        guard let pool else { return }
        let deadline = NIODeadline.now() + TimeAmount(settings.configuration.upstreamTimeout)
        exchange.deadline = deadline
        armTimer(at: deadline)
        if let connection = pool.take() {
            send(exchange, on: connection)
            return
        }
        pool.connect { result in
            switch result {
            case .success(let connection):
                guard self.isCurrent(exchange) else {
                    pool.giveBack(connection)
                    return
                }
                self.send(exchange, on: connection)
            case .failure(let error):
                guard self.isCurrent(exchange) else { return }
                self.failed(exchange, error)
            }
        }
    }

    private func send(_ exchange: TapExchange, on connection: UpstreamConnection) {
        exchange.upstream = connection
        if let context, !context.channel.isWritable { connection.read(false) }
        connection.send(exchange.upstreamHead(settings.pools.target), body: exchange.body, to: self)
    }

    private func isCurrent(_ exchange: TapExchange) -> Bool {
        if case .forwarding(let current) = state { return current === exchange }
        return false
    }

    /// The call `connection` carries, if it is still this connection's call.
    private func exchange(using connection: UpstreamConnection) -> TapExchange? {
        if case .forwarding(let exchange) = state, exchange.upstream === connection { return exchange }
        return nil
    }

    /// One timer per connection, not one per call: when it fires it answers 504 if the call in
    /// flight is past its deadline, or waits again for that call's deadline. Scheduling and
    /// cancelling a task for every call cost as much as a tenth of the tap's own work.
    private func armTimer(at deadline: NIODeadline) {
        guard timer == nil, let eventLoop else { return }
        timer = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timer = nil
            guard case .forwarding(let exchange) = self.state, let deadline = exchange.deadline else { return }
            if deadline <= .now() {
                self.timedOut(exchange)
            } else {
                self.armTimer(at: deadline)
            }
        }
    }

    private func timedOut(_ exchange: TapExchange) {
        drop(exchange)
        let configuration = settings.configuration
        finish(exchange, after: answer(exchange, .gatewayTimeout, code: "gateway_timeout",
                                       "the tap gave up waiting for the upstream \(configuration.upstream) after \(configuration.upstreamTimeout)"))
    }

    private func failed(_ exchange: TapExchange, _ error: any Error) {
        drop(exchange)
        let reason = (error as? UnusableUpstream)?.description ?? TransportFailure.classify(error).summary
        switch exchange.answer {
        case .streaming:
            // The job has the head and part of the body: closing is the only way left to say
            // the answer is cut. Its record was made with the head.
            state = .idle
            settings.wake()
            context?.close(promise: nil)
        case .buffering:
            finish(exchange, after: answer(exchange, .badGateway, code: "bad_gateway", "the upstream's answer could not be read: \(reason)"))
        case .waiting:
            finish(exchange, after: answer(exchange, .badGateway, code: "bad_gateway",
                                           "the tap could not reach the upstream \(settings.configuration.upstream): \(reason)"))
        }
    }

    /// Closes the upstream connection of a call that will not read its answer to the end.
    private func drop(_ exchange: TapExchange) {
        exchange.deadline = nil
        if let connection = exchange.upstream {
            connection.detach()
            connection.channel.close(promise: nil)
            exchange.upstream = nil
        }
    }

    // MARK: The answer

    private func finish(_ exchange: TapExchange, after written: EventLoopFuture<Void>?) {
        becameIdle(after: written, closing: exchange.closesAfter)
    }

    /// The answer of the current call is written: close, or go on with the calls held.
    private func becameIdle(after written: EventLoopFuture<Void>?, closing: Bool) {
        state = .idle
        // The answer is flushed: the wake's thread switch no longer delays it.
        settings.wake()
        if closing || quiescing {
            held.removeAll()
            closeAfter(written)
            return
        }
        resumeHeld()
        if case .idle = state, held.isEmpty, inputClosed { closeAfter(written) }
    }

    private func resumeHeld() {
        guard !resuming, let context else { return }
        resuming = true
        defer { resuming = false }
        while !held.isEmpty {
            if case .forwarding = state { break }
            handle(held.removeFirst(), context: context)
        }
        if readingPaused, held.count < Self.maxHeldParts / 2 {
            readingPaused = false
            try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        }
    }

    private func closeAfter(_ written: EventLoopFuture<Void>?) {
        guard let context else { return }
        guard let written else {
            context.close(promise: nil)
            return
        }
        written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    /// The tap's own answer, in the API's error shape, recorded with its reason.
    @discardableResult
    private func answer(_ exchange: TapExchange, _ status: HTTPResponseStatus, code: String, _ description: String) -> EventLoopFuture<Void>? {
        settings.offer(exchange.call.tapped(.status(Int(status.code)), rate: .unknown, errors: [ErrorEntry(code: code, description: description)]))
        let body = ByteBuffer(string: TapOwnAnswer.body(code: code, description: description))
        let headers: HTTPHeaders = ["content-type": "application/json", "content-length": String(body.readableBytes)]
        return write(exchange, head: exchange.answerHead(closing: quiescing, status: status, headers: headers), body: body)
    }

    /// Writes a whole answer and flushes it.
    private func write(_ exchange: TapExchange, head: HTTPResponseHead, body: ByteBuffer?) -> EventLoopFuture<Void>? {
        guard let context else { return nil }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body, body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        return writeEnd(exchange)
    }

    /// Ends the answer; the future, made only when the connection closes after it, says when
    /// the answer is written.
    private func writeEnd(_ exchange: TapExchange) -> EventLoopFuture<Void>? {
        guard let context else { return nil }
        guard exchange.closesAfter else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return nil
        }
        return context.writeAndFlush(wrapOutboundOut(.end(nil)))
    }
}

extension TapProxyHandler: UpstreamAnswerDelegate {
    func upstream(_ connection: UpstreamConnection, head: HTTPResponseHead) {
        // An informational answer (100 Continue) is the upstream's business: the final one follows.
        guard let exchange = exchange(using: connection), head.status.code >= 200 else { return }
        exchange.upstreamReusable = head.isKeepAlive
        let status = Int(head.status.code)
        guard (200..<300).contains(status) else {
            exchange.answer = .buffering(head, ByteBuffer())
            return
        }
        // A success streams straight through with the upstream's length: a large list never
        // sits in memory here. Its record is made now; the timeout covered the wait for it.
        exchange.deadline = nil
        settings.offer(exchange.call.tapped(.status(status), rate: RateHeaders(headers: head.headers), errors: []))
        exchange.answer = .streaming
        context?.write(wrapOutboundOut(.head(exchange.answerHead(closing: quiescing, status: head.status, headers: HopByHop.answered(head.headers, keepLength: true)))),
                       promise: nil)
    }

    func upstream(_ connection: UpstreamConnection, body: ByteBuffer) {
        guard let exchange = exchange(using: connection) else { return }
        switch exchange.answer {
        case .streaming:
            context?.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        case .buffering(let head, var collected):
            exchange.answer = .waiting  // the buffer is held once while it grows
            var part = body
            collected.writeBuffer(&part)
            exchange.answer = .buffering(head, collected)
            if collected.readableBytes > settings.configuration.maxRequestBody { failed(exchange, NIOTooManyBytesError(maxBytes: settings.configuration.maxRequestBody)) }
        case .waiting:
            break
        }
    }

    func upstreamReadComplete(_ connection: UpstreamConnection) {
        guard let exchange = exchange(using: connection), case .streaming = exchange.answer else { return }
        context?.flush()
    }

    func upstreamEnded(_ connection: UpstreamConnection) {
        guard let exchange = exchange(using: connection) else { return }
        exchange.deadline = nil
        exchange.upstream = nil
        if exchange.upstreamReusable {
            pool?.giveBack(connection)
        } else {
            connection.detach()
            connection.channel.close(promise: nil)
        }
        switch exchange.answer {
        case .streaming:
            finish(exchange, after: writeEnd(exchange))
        case .buffering(let head, let bytes):
            // The record is queued before the answer goes, so a job that has its answer can
            // count on the call being on its way to the recorder. The job gets the wire bytes
            // as they came (gzip stays gzip); the record decodes a copy.
            settings.offer(TapErrorAnswer.record(exchange.call, head: head, body: bytes, limit: settings.configuration.maxDecodedBody))
            let bodiless = exchange.answerHasNoBody(head.status)
            var headers = HopByHop.answered(head.headers, keepLength: bodiless)
            if !bodiless { headers.add(name: "content-length", value: String(bytes.readableBytes)) }
            finish(exchange, after: write(exchange, head: exchange.answerHead(closing: quiescing, status: head.status, headers: headers), body: bodiless ? nil : bytes))
        case .waiting:
            failed(exchange, ChannelError.eof)
        }
    }

    func upstream(_ connection: UpstreamConnection, failed error: any Error) {
        guard let exchange = exchange(using: connection) else { return }
        exchange.upstream = nil
        failed(exchange, error)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
