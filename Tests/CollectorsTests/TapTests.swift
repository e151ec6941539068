import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ManagementAPI
import NIOCore
import NIOHTTP1
import Simulator
import Synchronization
import Testing
import TestSupport
@testable import Collectors

#if canImport(Glibc)
    import Glibc
#endif

/// Records what the tap hands its sink, and lets a test wait for a number of them.
final class RecordSink: Sendable {
    private struct Waiter {
        let id: Int
        let count: Int
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var records: [CallRecord] = []
        var waiters: [Waiter] = []
        var nextID = 0
    }

    private let state = Mutex(State())
    /// The tap's hand-over queue, when the test knows it: `settled()` waits for it to drain.
    let queue: TapCallQueue?

    init(queue: TapCallQueue? = nil) {
        self.queue = queue
    }

    var all: [CallRecord] { state.withLock { $0.records } }

    /// Every record, once the tap has handed over all it answered: records arrive through a
    /// queue, after the answers the test has already read.
    func settled() async -> [CallRecord] {
        if let queue { _ = await eventually { queue.backlog == 0 } }
        return all
    }

    func add(_ record: CallRecord) {
        let ready = state.withLock { state in
            state.records.append(record)
            let ready = state.waiters.filter { $0.count <= state.records.count }
            state.waiters.removeAll { $0.count <= state.records.count }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Returns as soon as `count` records have arrived, or when `timeout` has passed.
    func wait(for count: Int, timeout: Duration = .seconds(60)) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.arrival(of: count) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Suspends until `count` records have arrived; cancellation ends the wait early.
    private func arrival(of count: Int) async {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state in
                    if state.records.count >= count || Task.isCancelled { return true }
                    state.waiters.append(Waiter(id: id, count: count, continuation: continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                let waiter = state.waiters.first { $0.id == id }
                state.waiters.removeAll { $0.id == id }
                return waiter
            }
            waiter?.continuation.resume()
        }
    }
}

/// An upstream that answers `/v2/webhooks/` with 200 once `gate` is open.
/// An upstream that holds each answer until `gate` opens; `arrived` opens as soon as a call
/// reached it, so a test can act on a call in flight without guessing how long it takes.
func gatedUpstream(_ gate: Gate, arrived: Gate = Gate()) -> some ApplicationProtocol {
    let router = Router()
    router.get("/v2/webhooks/") { _, _ in
        arrived.open()
        await gate.wait()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
    }
    return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
}

/// One answer exactly as it came off the wire: never decompressed.
struct WireExchange: Equatable {
    let status: UInt
    let contentEncoding: String?
    let contentLength: String?
    let jw: [String]
    let body: [UInt8]
}

/// A client that never decompresses (AsyncHTTPClient's shared one does): it sees the bytes.
func withRawClient(_ body: (HTTPClient) async throws -> Void) async throws {
    let client = HTTPClient(eventLoopGroup: .singletonMultiThreadedEventLoopGroup, configuration: .init(decompression: .disabled))
    do {
        try await body(client)
    } catch {
        try await client.shutdown()
        throw error
    }
    try await client.shutdown()
}

/// A call that asks for gzip, as Python's requests, Go's net/http and Node's fetch do.
func gzipCall(_ client: HTTPClient, _ base: String, _ method: HTTPMethod, _ path: String, secret: String?,
              body: String? = nil) async throws -> WireExchange
{
    var request = HTTPClientRequest(url: base + path)
    request.method = method
    request.headers.add(name: "Accept-Encoding", value: "gzip, deflate")
    if let secret { request.headers.add(name: "Authorization", value: "Bearer " + secret) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await client.execute(request, timeout: .seconds(60))
    let bytes = try await response.body.collect(upTo: 1 << 24)
    let jw = ["jw-request-limit", "jw-request-remaining", "jw-request-id"].map { response.headers.first(name: $0) ?? "-" }
    return WireExchange(status: response.status.code, contentEncoding: response.headers.first(name: "content-encoding"),
                        contentLength: response.headers.first(name: "content-length"), jw: jw, body: Array(bytes.readableBytesView))
}

/// Runs a tap in front of `upstream` for the body of the test.
func withTap(upstream: String, timeout: Duration = .seconds(60), maxBody: Int = 16 << 20, labels: [Fingerprint: String] = [:],
             adjust: (inout TapConfiguration) -> Void = { _ in },
             _ body: @Sendable (_ port: Int, _ sink: RecordSink) async throws -> Void) async throws
{
    let queue = TapCallQueue()
    let sink = RecordSink(queue: queue)
    var configuration = TapConfiguration(host: "127.0.0.1", port: 0, upstream: upstream, upstreamTimeout: timeout,
                                         maxRequestBody: maxBody, labels: labels)
    adjust(&configuration)
    let app = Tap.application(configuration, logger: Logger(label: "tap-test"), queue: queue) { sink.add($0.record) }
    try await running(app) { port in try await body(port, sink) }
}

struct Exchange: Equatable {
    let status: UInt
    let body: String
    let jw: [String]
}

func call(_ base: String, _ method: HTTPMethod = .GET, _ path: String, secret: String?, body: String? = nil,
          timeout: TimeAmount = .seconds(30)) async throws -> Exchange
{
    var request = HTTPClientRequest(url: base + path)
    request.method = method
    if let secret { request.headers.add(name: "Authorization", value: "Bearer " + secret) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: timeout)
    let bytes = try await response.body.collect(upTo: 1 << 24)
    let jw = ["jw-request-limit", "jw-request-remaining", "jw-request-id"].map { response.headers.first(name: $0) ?? "-" }
    return Exchange(status: response.status.code, body: String(buffer: bytes), jw: jw)
}

@Suite("The tap in front of the simulator")
struct TapTests {
    static let admin = SimulatedToken(label: "ops", secret: "tap-admin-secret-41")
    static let viewer = SimulatedToken(label: "ro", secret: "tap-viewer-secret-42", role: .viewer)

    /// Two of these with the same arguments answer the same calls byte for byte: same seed,
    /// and a clock that stands still.
    static func simulator(faultRate: Double = 0, latency: Duration = .zero, quota: Int = 60) -> some ApplicationProtocol {
        buildApplication(SimulatorConfiguration(port: 0, seed: 11, tokens: [admin, viewer], faultRate: faultRate, latency: latency,
                                                gatewayTimeoutDelay: .milliseconds(10), quotaPerMinute: quota,
                                                clock: ManualSimulatorClock()))
    }

    /// (method, path, secret, body): one call per seed code.
    static let calls: [(HTTPMethod, String, String?, String?)] = [
        (.GET, "/v2/sites/Abcd1234/media/?page_length=2", admin.secret, nil),
        (.POST, "/v2/sites/Abcd1234/media/", admin.secret, #"{"metadata":{"title":"","tags":"x"},"upload":{"method":"direct","download_url":"https://x"}}"#),
        (.GET, "/v2/sites/Abcd1234/media/?page_length=0", admin.secret, nil),
        (.GET, "/v2/webhooks/", "unknown", nil),
        (.POST, "/v2/webhooks/", viewer.secret, #"{"metadata":{"name":"abc"}}"#),
        (.GET, "/v2/sites/Abcd1234/media/missing1/", admin.secret, nil),
        (.DELETE, "/v2/webhooks/", admin.secret, nil),
        (.POST, "/v2/webhooks/", admin.secret, #"{"metadata":{"name":"dup","webhook_url":"https://h","events":["a"]}}"#),
        (.POST, "/v2/webhooks/", admin.secret, #"{"metadata":{"name":"dup","webhook_url":"https://h","events":["a"]}}"#),
        (.POST, "/v2/sites/Abcd1234/media/", admin.secret, "{not json"),
    ]

    @Test("every answer through the tap equals the direct answer: status, body and jw-* headers")
    func transparent() async throws {
        let direct = Mutex<[Exchange]>([])
        try await Self.simulator().test(.live) { server in
            var answers: [Exchange] = []
            for (method, path, secret, body) in Self.calls {
                answers.append(try await call("http://127.0.0.1:\(server.port!)", method, path, secret: secret, body: body))
            }
            direct.withLock { $0 = answers }
        }
        try await Self.simulator().test(.live) { server in
            try await withTap(upstream: "http://127.0.0.1:\(server.port!)", labels: [Secret(Self.admin.secret).fingerprint: "ops"]) { port, sink in
                var answers: [Exchange] = []
                for (method, path, secret, body) in Self.calls {
                    answers.append(try await call("http://127.0.0.1:\(port)", method, path, secret: secret, body: body))
                }
                let expected = direct.withLock { $0 }
                #expect(answers == expected)
                #expect(Set(answers.map(\.status)) == [200, 400, 401, 403, 404, 405, 201, 409])
                let records = (await sink.settled())
                #expect(records.count == Self.calls.count)
                #expect(records.map { $0.outcome.status.map(UInt.init) } == answers.map(\.status))
                #expect(records[1].errors.map(\.code) == ["not_allowed", "empty", "invalid_type"])
                #expect(records[1].errors.first?.detail?.field == "upload.download_url")
                #expect(records[0].token.label == "ops")
                #expect(records[3].token.label == nil)
                #expect(records[4].token.fingerprint == Secret(Self.viewer.secret).fingerprint)
                #expect(records.allSatisfy { $0.source == .tap })
            }
        }
    }

    @Test("a gzip call through the tap: the caller gets the upstream's gzip bytes unchanged, the record every field error")
    func gzipThroughTheTap() async throws {
        try await withRawClient { raw in
            let direct = Mutex<[WireExchange]>([])
            try await Self.simulator().test(.live) { server in
                var answers: [WireExchange] = []
                for (method, path, secret, body) in Self.calls {
                    answers.append(try await gzipCall(raw, "http://127.0.0.1:\(server.port!)", method, path, secret: secret, body: body))
                }
                direct.withLock { $0 = answers }
            }
            try await Self.simulator().test(.live) { server in
                try await withTap(upstream: "http://127.0.0.1:\(server.port!)") { port, sink in
                    var answers: [WireExchange] = []
                    for (method, path, secret, body) in Self.calls {
                        answers.append(try await gzipCall(raw, "http://127.0.0.1:\(port)", method, path, secret: secret, body: body))
                    }
                    let expected = direct.withLock { $0 }
                    #expect(answers == expected)
                    // Every answer with a body came compressed, its length the compressed one.
                    for answer in answers where !answer.body.isEmpty {
                        #expect(answer.contentEncoding == "gzip")
                        #expect(answer.body.starts(with: [0x1F, 0x8B]))
                        #expect(answer.contentLength == String(answer.body.count))
                    }
                    let records = (await sink.settled())
                    #expect(records.count == Self.calls.count)
                    #expect(records[1].outcome == .status(400))
                    #expect(records[1].errors.map(\.code) == ["not_allowed", "empty", "invalid_type"])
                    #expect(records[1].errors.allSatisfy { $0.detail != nil && !$0.synthesized })
                    #expect(records[1].errors.first?.detail?.field == "upload.download_url")
                    #expect(records[3].errors.map(\.code) == ["unauthorized"])
                    #expect(records[9].errors.first?.synthesized == false)
                    #expect(!records.flatMap(\.errors).contains { $0.description.contains("not JSON") })
                    #expect(records.map(\.rate.remaining) == expected.map { Int($0.jw[1]) })
                }
            }
        }
    }

    @Test("a gzip bomb and garbage that claims gzip pass through unchanged; the record says too large, or undecodable")
    func hostileGzip() async throws {
        let bomb = try await TestGzip.bomb(decodedSize: 256 << 20)
        let garbage = Array(#"{"errors":[{"code":"required","description":"not gzip at all"}]}"#.utf8)
        let router = Router()
        for (path, bytes) in [("/v2/bomb/", bomb), ("/v2/garbage/", garbage)] {
            router.get(RouterPath(path)) { _, _ in
                Response(status: .badRequest, headers: [.contentType: "application/json", .contentEncoding: "gzip"],
                         body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }
        let upstream = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await withRawClient { raw in
            try await upstream.test(.live) { server in
                try await withTap(upstream: "http://127.0.0.1:\(server.port!)") { port, sink in
                    let bombed = try await gzipCall(raw, "http://127.0.0.1:\(port)", .GET, "/v2/bomb/", secret: Self.admin.secret)
                    #expect(bombed.status == 400)
                    #expect(bombed.body == bomb)
                    #expect(bombed.contentEncoding == "gzip")
                    let garbled = try await gzipCall(raw, "http://127.0.0.1:\(port)", .GET, "/v2/garbage/", secret: Self.admin.secret)
                    #expect(garbled.status == 400)
                    #expect(garbled.body == garbage)
                    let records = (await sink.settled())
                    #expect(records.map(\.outcome) == [.status(400), .status(400)])
                    #expect(records.first?.errors.count == 1)
                    #expect(records.first?.errors.first?.description.contains("decodes to more than \(1 << 20) bytes") == true)
                    #expect(records.last?.errors.count == 1)
                    #expect(records.last?.errors.first?.synthesized == true)
                    #expect(records.last?.errors.first?.description.contains("claims Content-Encoding gzip") == true)
                    // The tap still serves after both.
                    let after = try await gzipCall(raw, "http://127.0.0.1:\(port)", .GET, "/v2/garbage/", secret: nil)
                    #expect(after.status == 400)
                }
            }
        }
    }

    @Test("5xx, the HTML 502 and 429 pass through unchanged too")
    func faultsAndLimits() async throws {
        let direct = Mutex<[Exchange]>([])
        for round in 0..<2 {
            try await Self.simulator(faultRate: 0.5).test(.live) { server in
                @Sendable func run(_ base: String) async throws -> [Exchange] {
                    var answers: [Exchange] = []
                    for _ in 0..<70 { answers.append(try await call(base, .GET, "/v2/webhooks/", secret: Self.admin.secret)) }
                    return answers
                }
                if round == 0 {
                    let answers = try await run("http://127.0.0.1:\(server.port!)")
                    direct.withLock { $0 = answers }
                } else {
                    try await withTap(upstream: "http://127.0.0.1:\(server.port!)") { port, sink in
                        let answers = try await run("http://127.0.0.1:\(port)")
                        #expect(answers == direct.withLock { $0 })
                        #expect(Set(answers.map(\.status)).isSuperset(of: [200, 429, 500, 502, 503, 504]))
                        #expect(answers.contains { $0.status == 502 && $0.body.contains("<html>") })
                        #expect((await sink.settled()).contains { $0.outcome == .status(502) && $0.errors.first?.description.contains("HTML page") == true })
                    }
                }
            }
        }
    }

    @Test("jw-request-remaining falls by exactly one per call through the tap")
    func quotaCount() async throws {
        try await Self.simulator().test(.live) { server in
            try await withTap(upstream: "http://127.0.0.1:\(server.port!)") { port, sink in
                var remaining: [Int] = []
                for _ in 0..<10 {
                    let answer = try await call("http://127.0.0.1:\(port)", .GET, "/v2/webhooks/", secret: Self.admin.secret)
                    remaining.append(Int(answer.jw[1]) ?? -1)
                }
                #expect(remaining == Array((50...59).reversed()))
                #expect((await sink.settled()).compactMap(\.rate.remaining) == remaining)
            }
        }
    }

    @Test("upstream down is a 502 that says so; upstream slow is a 504; both are recorded")
    func upstreamDownAndSlow() async throws {
        try await withRefusingPort { deadPort in
            try await withTap(upstream: "http://127.0.0.1:\(deadPort)") { port, sink in
                let answer = try await call("http://127.0.0.1:\(port)", .GET, "/v2/webhooks/", secret: Self.admin.secret)
                #expect(answer.status == 502)
                #expect(answer.body.contains("\"code\":\"bad_gateway\""))
                #expect(answer.body.contains("could not reach the upstream http://127.0.0.1:\(deadPort)"))
                #expect((await sink.settled()).map(\.outcome) == [.status(502)])
            }
        }
        // The upstream holds its answer until the gate opens: the tap must give up on its own
        // 300 ms deadline while the answer is still held.
        let gate = Gate()
        try await gatedUpstream(gate).test(.live) { server in
            defer { gate.open() }
            try await withTap(upstream: "http://127.0.0.1:\(server.port!)", timeout: .milliseconds(300)) { port, sink in
                let answer = try await call("http://127.0.0.1:\(port)", .GET, "/v2/webhooks/", secret: Self.admin.secret)
                #expect(answer.status == 504)
                #expect(answer.body.contains("gateway_timeout"))
                #expect((await sink.settled()).map(\.outcome) == [.status(504)])
                #expect((await sink.settled()).first?.errors.first?.code == "gateway_timeout")
                // Its own 300 ms, not the 60 s default: far below that, far above any loaded machine's delay.
                #expect((await sink.settled()).first.map { $0.latency >= .milliseconds(300) && $0.latency < .seconds(30) } == true)
            }
        }
    }

    @Test("an oversized body is a 413, a malformed target a 400, neither forwarded; an absolute URL goes upstream only for the API's host")
    func refusals() async throws {
        try await Self.simulator().test(.live) { server in
            try await withTap(upstream: "http://127.0.0.1:\(server.port!)", maxBody: 1_024) { port, sink in
                let big = try await call("http://127.0.0.1:\(port)", .POST, "/v2/sites/Abcd1234/media/", secret: Self.admin.secret,
                                         body: String(repeating: "x", count: 4_096))
                #expect(big.status == 413)
                #expect(big.body.contains("payload_too_large"))
                let after = try await call("http://127.0.0.1:\(server.port!)", .GET, "/v2/webhooks/", secret: Self.admin.secret)
                #expect(after.jw[1] == "59")
                let malformed = try await rawRequest(port: port, "GET /v2/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                #expect(malformed.hasPrefix("HTTP/1.1 400"))
                #expect(malformed.contains("invalid_request"))
                // An absolute-form request for another host is refused and sent nowhere (DESIGN.md
                // section 11): not to it, and not to the API with that service's headers.
                let elsewhere = try await rawRequest(port: port, "GET http://evil.example/v2/webhooks/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
                #expect(elsewhere.hasPrefix("HTTP/1.1 403"), "\(elsewhere)")
                #expect(elsewhere.contains("evil.example is not sent anywhere"))
                #expect(!elsewhere.lowercased().contains("jw-request-id"))
                // One for the API's host is an origin-form call: the upstream answers it.
                let relay = try await rawRequest(port: port, "GET http://api.jwplayer.com/v2/webhooks/ HTTP/1.1\r\nHost: api.jwplayer.com\r\nConnection: close\r\n\r\n")
                #expect(relay.hasPrefix("HTTP/1.1 401"))
                #expect(relay.lowercased().contains("jw-request-id"))
                #expect((await sink.settled()).map(\.outcome) == [.status(413), .status(400), .status(401)])
                #expect((await sink.settled()).last?.path == "/v2/webhooks/")
            }
        }
    }

    @Test("a client that disconnects mid-call is recorded and leaves the tap serving")
    func clientDisconnect() async throws {
        // The upstream holds the first call until the caller has given up and gone.
        let gate = Gate()
        let arrived = Gate()
        try await gatedUpstream(gate, arrived: arrived).test(.live) { server in
            defer { gate.open() }
            try await withTap(upstream: "http://127.0.0.1:\(server.port!)") { port, sink in
                // The caller leaves once its call is in flight upstream, however long it took to get there.
                let caller = Task { try await call("http://127.0.0.1:\(port)", .GET, "/v2/webhooks/", secret: Self.admin.secret) }
                #expect(try await finishes { await arrived.wait() }, "the call never reached the upstream")
                caller.cancel()
                await #expect(throws: (any Error).self) { _ = try await caller.value }
                gate.open()
                let next = try await call("http://127.0.0.1:\(port)", .GET, "/v2/webhooks/", secret: Self.admin.secret)
                #expect(next.status == 200)
                await sink.wait(for: 2)
                #expect((await sink.settled()).count == 2)
                #expect((await sink.settled()).allSatisfy { $0.path == "/v2/webhooks/" })
            }
        }
    }

    @Test("200 concurrent calls all pass and are all recorded")
    func concurrent() async throws {
        try await Self.simulator(quota: 1_000).test(.live) { server in
            try await withTap(upstream: "http://127.0.0.1:\(server.port!)") { port, sink in
                // 200 tasks at once on a thread of their own, not in front of every other test's.
                let statuses = try await withTaskExecutorPreference(ThreadExecutor.flood) {
                    try await withThrowingTaskGroup(of: UInt.self) { group in
                        for index in 0..<200 {
                            group.addTask {
                                try await call("http://127.0.0.1:\(port)", .GET, "/v2/sites/Abcd1234/media/?page=\(index % 5 + 1)",
                                               secret: Self.admin.secret).status
                            }
                        }
                        return try await group.reduce(into: [UInt]()) { $0.append($1) }
                    }
                }
                #expect(statuses.count == 200)
                #expect(statuses.allSatisfy { $0 == 200 })
                #expect((await sink.settled()).count == 200)
            }
        }
    }

    @Test("no secret reaches a record, its description or the tap's line")
    func noSecrets() async throws {
        try await Self.simulator().test(.live) { server in
            try await withTap(upstream: "http://127.0.0.1:\(server.port!)") { port, sink in
                _ = try await call("http://127.0.0.1:\(port)", .GET, "/v2/webhooks/", secret: Self.admin.secret)
                _ = try await call("http://127.0.0.1:\(port)", .GET, "/v2/webhooks/", secret: "wrong-secret-777")
                for record in (await sink.settled()) {
                    var dumped = ""
                    dump(record, to: &dumped)
                    let encoded = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
                    for text in [dumped, encoded, "\(record)"] {
                        #expect(!text.contains(Self.admin.secret) && !text.contains("wrong-secret-777"))
                    }
                }
            }
        }
    }
}

