import Logging
import ManagementAPI
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Synchronization
import Testing
@testable import Collectors

/// `TapProxyHandler` in an `EmbeddedChannel`: the wire behaviours the tap answers itself,
/// byte for byte, with no socket and no upstream (the paths that reach the upstream are the
/// real-socket suites').
@Suite("the tap's handler in an EmbeddedChannel")
struct TapHandlerEmbeddedTests {
    final class Offered: Sendable {
        let calls = Mutex<[TappedCall]>([])
    }

    /// A job connection with the tap's HTTP handlers and its proxy handler, and what it offered to record.
    final class Connection {
        let channel = EmbeddedChannel()
        let offered = Offered()

        init(maxRequestBody: Int = 16 << 20) throws {
            var configuration = TapConfiguration(host: "127.0.0.1", port: 0, upstream: "http://127.0.0.1:9")
            configuration.maxRequestBody = maxRequestBody
            let offered = offered
            let settings = TapSettings(
                configuration: configuration, pools: UpstreamPools(target: UpstreamTarget(configuration.upstream), connectTimeout: .seconds(1)),
                clock: SystemClock(), inFlight: TapInFlight(),
                limits: TapLimits(maxConnections: 8, maxBufferedBytes: 1 << 20), wake: {}, offer: { call in offered.calls.withLock { $0.append(call) } },
                rules: configuration.rules, upstreamHosts: ["127.0.0.1"], authority: nil, callers: nil, tunnels: TunnelCounts(),
                refusedHandshakes: RefusedHandshakes(logger: Logger(label: "embedded"), clock: SystemClock(), notice: { _ in }))
            try TapHTTPHandlers.add(to: channel.pipeline.syncOperations)
            try channel.pipeline.syncOperations.addHandler(TapProxyHandler(settings: settings))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        func send(_ text: String) throws { try channel.writeInbound(ByteBuffer(string: text)) }

        /// Everything written to the job so far.
        func written() throws -> String {
            var text = ""
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
            return text
        }

        var isOpen: Bool {
            channel.embeddedEventLoop.run()
            return channel.isActive
        }
    }

    @Test("a malformed target: a 400 in the API's shape, recorded, then the connection closes")
    func malformedTarget() throws {
        let job = try Connection()
        try job.send("GET /v2/%zz HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = try job.written()
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(answer)")
        #expect(answer.hasSuffix(#"{"errors":[{"code":"invalid_request","description":"the request target is not a valid path; not forwarded"}]}"#))
        #expect(answer.lowercased().contains("connection: close"))
        #expect(job.offered.calls.withLock { $0.map(\.record.outcome) } == [.status(400)])
        #expect(!job.isOpen)
    }

    @Test("Expect: 100-continue is answered at once when the body may come; a length past the limit is a 413 instead, and the connection closes")
    func continueOrTooLarge() throws {
        let job = try Connection(maxRequestBody: 8)
        try job.send("POST /v2/sites/Abcd1234/media/ HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        #expect(try job.written() == "HTTP/1.1 100 Continue\r\n\r\n")
        #expect(job.isOpen)

        let large = try Connection(maxRequestBody: 8)
        try large.send("POST /v2/sites/Abcd1234/media/ HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\nExpect: 100-continue\r\n\r\n")
        let answer = try large.written()
        #expect(answer.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"), "\(answer)")
        #expect(!answer.contains("100 Continue"))
        #expect(large.offered.calls.withLock { $0.map(\.record.outcome) } == [.status(413)])
        #expect(!large.isOpen)
    }

    @Test("a request still arriving at the client timeout is a 408, not recorded; an idle connection just closes")
    func stalls() throws {
        let job = try Connection()
        try job.send("POST /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        job.channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        let answer = try job.written()
        #expect(answer.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), "\(answer)")
        #expect(job.offered.calls.withLock { $0.isEmpty })
        #expect(!job.isOpen)

        let idle = try Connection()
        idle.channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        #expect(try idle.written().isEmpty)
        #expect(!idle.isOpen)
    }

    @Test("a half-close on an idle connection closes it; a half-close cutting a request short drops it unanswered")
    func halfClose() throws {
        let idle = try Connection()
        idle.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(!idle.isOpen)
        let cut = try Connection()
        try cut.send("POST /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        cut.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(try cut.written().isEmpty)
        #expect(cut.offered.calls.withLock { $0.isEmpty })
        #expect(!cut.isOpen)
    }

    @Test("a refused CONNECT is written raw with its body, the connection closes, and nothing is recorded")
    func refusedConnect() throws {
        let job = try Connection()
        try job.send("CONNECT example.com:0 HTTP/1.1\r\n\r\nGET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = try job.written()
        #expect(answer == "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 86\r\nconnection: close\r\n\r\n"
            + #"{"errors":[{"code":"invalid_request","description":"the CONNECT target's port is 0"}]}"#, "\(answer)")
        #expect(job.offered.calls.withLock { $0.isEmpty })
        #expect(!job.isOpen)
    }

    @Test("a stopping tap closes an idle connection and drops a request half read, unanswered")
    func quiesce() throws {
        let idle = try Connection()
        idle.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(try idle.written().isEmpty)
        #expect(!idle.isOpen)

        let job = try Connection()
        try job.send("POST /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        job.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(try job.written().isEmpty)
        #expect(job.offered.calls.withLock { $0.isEmpty })
        #expect(!job.isOpen)
    }

    @Test("bytes that are not HTTP: one 400 in the API's shape, nothing recorded, then the close")
    func garbage() throws {
        let job = try Connection()
        try? job.send("\u{1}\u{2} garbage\r\n\r\n")
        let answer = try job.written()
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(answer)")
        #expect(answer.components(separatedBy: "HTTP/1.1 ").count == 2, "one answer only: \(answer)")
        #expect(answer.contains("could not be read as HTTP/1.1"))
        #expect(job.offered.calls.withLock { $0.isEmpty }, "a request whose head was never read names no call")
        #expect(!job.isOpen)
    }
}
