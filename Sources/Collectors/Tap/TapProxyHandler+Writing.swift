import ManagementAPI
import NIOCore
import NIOHTTP1

/// What the tap writes to the job itself: the heads of answers with the framing of the job's
/// connection, the tap's own answers, and the close that waits for them.
extension TapProxyHandler {
    /// The head of an answer; one that says `Connection: close` closes the connection after it.
    func answerHead(_ exchange: TapExchange, status: HTTPResponseStatus, headers: HTTPHeaders) -> HTTPResponseHead {
        let head = exchange.answerHead(closing: machine.closing, status: status, headers: headers)
        if exchange.closesAfter { machine.closesAfterAnswer() }
        return head
    }

    /// The tap's own answer, in the API's error shape, recorded with its reason unless it
    /// answers what is not a call of the API.
    func answer(_ exchange: TapExchange, _ status: HTTPResponseStatus, code: String, _ description: String, recorded: Bool = true) {
        if recorded {
            settings.offer(exchange.call.tapped(.status(Int(status.code)), rate: .unknown, errors: [ErrorEntry(code: code, description: description)]))
        }
        let body = ByteBuffer(string: TapOwnAnswer.body(code: code, description: description))
        write(answerHead(exchange, status: status, headers: TapOwnAnswer.headers(length: body.readableBytes)), body: body)
    }

    /// A request NIO's parser refused: a 400 in the API's shape, then the connection closes.
    /// It is recorded when its head was read (a body that broke off, a bad chunk); a request
    /// whose head cannot be read names no call to record.
    func answerUnreadable(_ exchange: TapExchange?, version: HTTPVersion) {
        let code = "invalid_request"
        let description = "the request could not be read as HTTP/1.1; not forwarded"
        if let exchange {
            exchange.body = nil
            answer(exchange, .badRequest, code: code, description)
        } else {
            let body = ByteBuffer(string: TapOwnAnswer.body(code: code, description: description))
            var headers = TapOwnAnswer.headers(length: body.readableBytes)
            headers.add(name: "connection", value: "close")
            write(HTTPResponseHead(version: version, status: .badRequest, headers: headers), body: body)
        }
        closeWhenWritten()
    }

    /// Writes a whole answer and flushes it.
    func write(_ head: HTTPResponseHead, body: ByteBuffer?) {
        guard let context else { return }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body, body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        writeEnd()
    }

    /// Ends the answer and keeps the future of its write: a close waits for it.
    func writeEnd() {
        guard let context else { return }
        lastWrite = context.writeAndFlush(wrapOutboundOut(.end(nil)))
    }

    /// Closes the job's connection once everything written to it has gone: closing at once
    /// would drop what NIO still holds of a large answer a slow job reads. A job that reads
    /// nothing for the upstream timeout is closed anyway, so a stopping tap never waits on it.
    func closeWhenWritten() {
        guard let context else { return }
        guard let lastWrite else {
            context.close(promise: nil)
            return
        }
        let fallback = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(settings.configuration.upstreamTimeout)) {
            context.close(promise: nil)
        }
        // Cancelled once the write is done, so a closed connection is not kept for the
        // timeout by its pending fallback (one per connection that a job closes after a call).
        lastWrite.assumeIsolated().whenComplete { _ in
            fallback.cancel()
            context.close(promise: nil)
        }
    }
}
