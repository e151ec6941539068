import ManagementAPI
import NIOCore
import NIOHTTP1

/// One call through the tap, from the job's request head to the end of its answer. It lives
/// on its job connection's event loop.
final class TapExchange {
    enum Answer {
        /// Nothing from the upstream yet.
        case waiting
        /// A success: its head went to the job, its body follows part by part.
        case streaming
        /// An error answer, read whole so its record can say what went wrong.
        case buffering(HTTPResponseHead, ByteBuffer)
    }

    var call: TapCallStart
    /// The head the job sent.
    let head: HTTPRequestHead
    /// Its origin-form target, which goes after the upstream's base path.
    let target: String
    var body: ByteBuffer?
    var upstream: UpstreamConnection?
    /// When the tap gives up on the upstream: a 504 before the answer's head, a cut answer
    /// after a success's head (pushed back by each part of its body); nil once it has ended.
    var deadline: NIODeadline?
    var answer = Answer.waiting
    /// Whether the upstream keeps the connection open after this answer.
    var upstreamReusable = false
    /// Whether the job's connection closes once this answer is written.
    var closesAfter = false
    private let inFlight: TapInFlight
    private let limits: TapLimits
    /// Body bytes this call holds of the tap's budget, given back when it ends.
    private var reserved = 0

    init(call: TapCallStart, head: HTTPRequestHead, target: String, inFlight: TapInFlight, limits: TapLimits) {
        self.call = call
        self.head = head
        self.target = target
        self.inFlight = inFlight
        self.limits = limits
        inFlight.began()
    }

    deinit {
        inFlight.ended()
        limits.release(reserved)
    }

    /// Takes `bytes` more of the tap's request-body budget; false when it is spent.
    func reserve(_ bytes: Int) -> Bool {
        guard limits.reserve(bytes) else { return false }
        reserved += bytes
        return true
    }

    var keepAlive: Bool { head.isKeepAlive }

    /// The headers of the request as the upstream gets them.
    func upstreamHead(_ upstream: UpstreamTarget) -> HTTPRequestHead {
        var headers = HopByHop.forwarded(head.headers)
        headers.add(name: "host", value: upstream.hostHeader)
        let length = body?.readableBytes ?? 0
        // A POST, PUT or PATCH always says its length, as AsyncHTTPClient did (without one
        // NIO would send an empty body chunked).
        let saysLength = length > 0 || head.headers.contains(name: "content-length") || [.POST, .PUT, .PATCH].contains(head.method)
        if saysLength { headers.add(name: "content-length", value: String(length)) }
        return HTTPRequestHead(version: .http1_1, method: head.method, uri: upstream.basePath + target, headers: headers)
    }

    /// The head of the answer as the job gets it, with the framing of the job's connection.
    /// `closing` when the tap is stopping.
    func answerHead(closing: Bool, status: HTTPResponseStatus, headers: HTTPHeaders) -> HTTPResponseHead {
        var headers = headers
        // HTTP/1.0 has no chunked framing: an answer of unknown length ends when the connection does.
        let delimitedByClose = head.version.minor == 0 && !headers.contains(name: "content-length")
        closesAfter = closing || !keepAlive || delimitedByClose
        if closesAfter {
            headers.replaceOrAdd(name: "connection", value: "close")
        } else if head.version.minor == 0 {
            headers.replaceOrAdd(name: "connection", value: "keep-alive")
        }
        return HTTPResponseHead(version: head.version, status: status, headers: headers)
    }

    /// Whether an answer to this request carries no body whatever its headers say.
    func answerHasNoBody(_ status: HTTPResponseStatus) -> Bool {
        head.method == .HEAD || status == .noContent || status == .notModified || status.code < 200
    }
}
