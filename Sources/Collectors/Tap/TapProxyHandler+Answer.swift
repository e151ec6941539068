import ManagementAPI
import NIOCore
import NIOHTTP1

/// The upstream's side of a call: sending it, and writing its answer back to the job.
extension TapProxyHandler: UpstreamAnswerDelegate {
    func forward(_ exchange: TapExchange) {
        exchange.call.requestBody = exchange.body ?? ByteBuffer()
        machine.forwarding(exchange)
        guard let pool else { return }
        extendDeadline(exchange)
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
                self.failed(exchange, error, connecting: true)
            }
        }
    }

    private func send(_ exchange: TapExchange, on connection: UpstreamConnection) {
        exchange.upstream = connection
        connection.send(exchange.upstreamHead(settings.pools.target), body: exchange.body, to: self)
    }

    func isCurrent(_ exchange: TapExchange) -> Bool {
        if let current = machine.forwarded { return current === exchange }
        return false
    }

    /// The call `connection` carries, if it is still this connection's call.
    private func exchange(using connection: UpstreamConnection) -> TapExchange? {
        if let exchange = machine.forwarded, exchange.upstream === connection { return exchange }
        return nil
    }

    // MARK: Timeouts

    /// Gives the upstream `upstreamTimeout` more: for its answer's head, and then for each
    /// part of a success's body, so an answer that stalls half way is cut instead of holding
    /// the job for ever.
    func extendDeadline(_ exchange: TapExchange) {
        let deadline = NIODeadline.now() + TimeAmount(settings.configuration.upstreamTimeout)
        exchange.deadline = deadline
        armTimer(at: deadline)
    }

    /// One timer per connection, not one per call: when it fires it ends the call in flight
    /// if it is past its deadline, or waits again for that deadline. Scheduling and cancelling
    /// a task for every call cost as much as a tenth of the tap's own work.
    private func armTimer(at deadline: NIODeadline) {
        guard timer == nil, let eventLoop else { return }
        timer = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timer = nil
            guard let exchange = self.machine.forwarded, let deadline = exchange.deadline else { return }
            if deadline <= .now() {
                self.timedOut(exchange)
            } else {
                self.armTimer(at: deadline)
            }
        }
    }

    private func timedOut(_ exchange: TapExchange) {
        drop(exchange)
        if case .streaming = exchange.answer {
            cut()
            return
        }
        let configuration = settings.configuration
        answer(exchange, .gatewayTimeout, code: "gateway_timeout",
               "the tap gave up waiting for the upstream \(configuration.upstream) after \(configuration.upstreamTimeout)")
        becameIdle()
    }

    // MARK: Failures

    func failed(_ exchange: TapExchange, _ error: any Error, connecting: Bool = false) {
        drop(exchange)
        let failure = TransportFailure.classify(error)
        let reason = (error as? UnusableUpstream)?.description ?? failure.summary
        let upstream = settings.configuration.upstream
        switch exchange.answer {
        case .streaming:
            cut()
            return
        case .buffering:
            answer(exchange, .badGateway, code: "bad_gateway", "the upstream's answer could not be read: \(reason)")
        case .waiting where connecting && failure == .timeout:
            answer(exchange, .gatewayTimeout, code: "gateway_timeout", "the tap gave up connecting to the upstream \(upstream): \(reason)")
        case .waiting:
            answer(exchange, .badGateway, code: "bad_gateway", "the tap could not reach the upstream \(upstream): \(reason)")
        }
        becameIdle()
    }

    /// The job has a success's head and part of its body: closing is the only way left to
    /// say the answer is cut. Its record was made with the head.
    private func cut() {
        machine.answerCut()
        held.removeAll()
        context?.close(promise: nil)
        settings.wake()
    }

    /// Closes the upstream connection of a call that will not read its answer to the end.
    func drop(_ exchange: TapExchange) {
        exchange.deadline = nil
        if let connection = exchange.upstream {
            connection.detach()
            connection.channel.close(promise: nil)
            exchange.upstream = nil
        }
    }

    // MARK: UpstreamAnswerDelegate

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
        // sits in memory here. Its record is made now, timed to its head.
        settings.offer(exchange.call.tapped(.status(status), rate: RateHeaders(headers: head.headers), errors: []))
        exchange.answer = .streaming
        extendDeadline(exchange)
        if let context {
            context.write(wrapOutboundOut(.head(answerHead(exchange, status: head.status, headers: HopByHop.answered(head.headers, keepLength: true)))),
                          promise: nil)
            if !context.channel.isWritable { connection.read(false) }
        }
    }

    func upstream(_ connection: UpstreamConnection, body: ByteBuffer) {
        guard let exchange = exchange(using: connection) else { return }
        switch exchange.answer {
        case .streaming:
            extendDeadline(exchange)
            context?.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        case .buffering(let head, var collected):
            exchange.answer = .waiting  // the buffer is held once while it grows
            var part = body
            collected.writeBuffer(&part)
            exchange.answer = .buffering(head, collected)
            if collected.readableBytes > settings.configuration.maxRequestBody {
                failed(exchange, NIOTooManyBytesError(maxBytes: settings.configuration.maxRequestBody))
            }
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
            pool?.giveBackLater(connection)
        } else {
            connection.detach()
            connection.channel.close(promise: nil)
        }
        switch exchange.answer {
        case .streaming:
            writeEnd()
        case .buffering(let head, let bytes):
            // The record is queued before the answer goes, so a job that has its answer can
            // count on the call being on its way to the recorder. The job gets the wire bytes
            // as they came (gzip stays gzip); the record decodes a copy.
            settings.offer(TapErrorAnswer.record(exchange.call, head: head, body: bytes, limit: settings.configuration.maxDecodedBody))
            let bodiless = exchange.answerHasNoBody(head.status)
            var headers = HopByHop.answered(head.headers, keepLength: bodiless)
            if !bodiless { headers.add(name: "content-length", value: String(bytes.readableBytes)) }
            write(answerHead(exchange, status: head.status, headers: headers), body: bodiless ? nil : bytes)
        case .waiting:
            failed(exchange, ChannelError.eof)
            return
        }
        becameIdle()
    }

    func upstream(_ connection: UpstreamConnection, failed error: any Error) {
        guard let exchange = exchange(using: connection) else { return }
        exchange.upstream = nil
        failed(exchange, error)
    }
}
