import AsyncHTTPClient
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import ManagementAPI
import NIOCore
import NIOPosix
import Synchronization
import Testing
import TestSupport

/// What the loopback server saw of the last request.
private final class Seen: Sendable {
    let authorization = Mutex<String?>(nil)
    let userAgent = Mutex<String?>(nil)
    let acceptEncoding = Mutex<String?>(nil)
    /// Holds the slow route's answer until the test opens it: slow without a fixed sleep.
    let slowAnswer = Gate()
}

private let fieldErrorsBody = """
    {"errors":[{"code":"too_short","description":"Field 'metadata.name' must be longer than '2'. Value of 'ab' was provided."},\
    {"code":"required","description":"Field 'metadata.webhook_url' is required."}]}
    """

/// What a compressing gateway sends: gzip, with the jw-* headers of the service behind it.
private func gzipped(_ status: HTTPResponse.Status, _ bytes: [UInt8]) -> Response {
    var headers = jwHeaders(remaining: 45)
    headers[.contentEncoding] = "gzip"
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
}

private func jwHeaders(remaining: Int) -> HTTPFields {
    var fields = HTTPFields()
    fields[HTTPField.Name("jw-request-limit")!] = "60"
    fields[HTTPField.Name("jw-request-remaining")!] = String(remaining)
    fields[HTTPField.Name("jw-request-id")!] = "req-\(remaining)"
    fields[.contentType] = "application/json"
    return fields
}

private func response(_ status: HTTPResponse.Status, _ body: String, remaining: Int = 45) -> Response {
    Response(status: status, headers: jwHeaders(remaining: remaining), body: .init(byteBuffer: ByteBuffer(string: body)))
}

private func makeServer(seen: Seen) -> some ApplicationProtocol {
    let router = Router()
    router.get("/v2/sites/:site/media/") { request, _ in
        seen.authorization.withLock { $0 = request.headers[.authorization] }
        seen.userAgent.withLock { $0 = request.headers[.userAgent] }
        return response(.ok, "{\"media\":[{\"id\":\"m1\"}],\"page\":1,\"page_length\":1,\"total\":541}")
    }
    router.post("/v2/webhooks/") { _, _ in
        response(.badRequest, fieldErrorsBody)
    }
    // A gateway that compresses whatever the caller accepts, errors included.
    router.get("/v2/gzip/fields/") { request, _ in
        let accepted = request.headers[.acceptEncoding]
        seen.acceptEncoding.withLock { $0 = accepted }
        guard accepted?.contains("gzip") == true else { return response(.badRequest, fieldErrorsBody) }
        return gzipped(.badRequest, try TestGzip.compress(Array(fieldErrorsBody.utf8)))
    }
    router.get("/v2/gzip/list/") { request, _ in
        guard request.headers[.acceptEncoding]?.contains("gzip") == true else { return response(.notAcceptable, "{}") }
        return gzipped(.ok, try TestGzip.compress(Array("{\"media\":[],\"page\":1,\"page_length\":1,\"total\":541}".utf8)))
    }
    // Broken or hostile gateways: bytes that claim gzip but are not, and a gzip bomb.
    router.get("/v2/gzip/garbage/") { _, _ in
        gzipped(.badRequest, [0x1F, 0x8B] + Array("this is no deflate stream".utf8))
    }
    router.get("/v2/gzip/garbage-ok/") { _, _ in
        gzipped(.ok, [0x1F, 0x8B] + Array("this is no deflate stream".utf8))
    }
    router.get("/v2/gzip/bomb/") { _, _ in
        gzipped(.badRequest, try await TestGzip.bomb(decodedSize: 64 << 20))
    }
    router.get("/v2/gzip/bomb-ok/") { _, _ in
        gzipped(.ok, try await TestGzip.bomb(decodedSize: 64 << 20))
    }
    router.get("/v2/gateway/") { _, _ in
        Response(status: .badGateway, headers: [.contentType: "text/html"],
                 body: .init(byteBuffer: ByteBuffer(string: "<html><head><title>502 Bad Gateway</title></head></html>")))
    }
    router.get("/v2/huge/") { _, _ in
        response(.ok, String(repeating: "x", count: 6_000_000))
    }
    router.get("/v2/slow/") { _, _ in
        await seen.slowAnswer.wait()
        return response(.ok, "{}")
    }
    router.get("/v2/redirect/") { _, _ in
        Response(status: .found, headers: [.location: "http://127.0.0.1:1/stolen"])
    }
    return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
}

@Suite("The client against a loopback server")
struct ClientLiveTests {
    let secret = "s3cret-token-value"
    var token: Token { Token(label: "ingest", secret: Secret(secret)) }

    func withClient(_ body: (HTTPClient) async throws -> Void) async throws {
        let http = SharedHTTPClient.makeClient(connectTimeout: .seconds(2))
        do {
            try await body(http)
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    @Test("a list call sends Bearer and User-Agent, reads the headers and the envelope, logs no secret")
    func listCall() async throws {
        let seen = Seen()
        let logs = LogCapture()
        try await makeServer(seen: seen).test(.live) { server in
            try await withClient { http in
                let client = ManagementClient(configuration: .init(baseURL: "http://127.0.0.1:\(server.port!)"),
                                              httpClient: http, logger: logs.logger())
                let response = await client.send(.listMedia(siteID: "Abcd1234", pageLength: 1), token: token)
                #expect(seen.authorization.withLock { $0 } == "Bearer \(secret)")
                #expect(seen.userAgent.withLock { $0 } == "mapitop/\(MapitopVersion.string)")
                #expect(response.record.outcome == .status(200))
                #expect(response.record.rate == RateHeaders(limit: 60, remaining: 45, requestID: "req-45"))
                #expect(response.record.token == token.reference)
                #expect(response.record.path == "/v2/sites/Abcd1234/media/")
                guard case .success(_, let body) = response.outcome else {
                    Issue.record("expected a success")
                    return
                }
                #expect(ResponseDecoder.decodeList(body)?.total == 541)
                #expect(logs.text.contains("status=200"))
                #expect(!logs.text.contains(secret))
                #expect(!"\(response.record)".contains(secret))
            }
        }
    }

    @Test("a 400 decodes to its field errors; an HTML 502 keeps its status")
    func errorAnswers() async throws {
        try await makeServer(seen: Seen()).test(.live) { server in
            try await withClient { http in
                let client = ManagementClient(configuration: .init(baseURL: "http://127.0.0.1:\(server.port!)"),
                                              httpClient: http, logger: LogCapture().logger())
                let bad = await client.send(.createWebhook(body: Array("{}".utf8)), token: token)
                #expect(bad.record.outcome == .status(400))
                #expect(bad.record.errors.map(\.code) == ["too_short", "required"])
                #expect(bad.record.errors.first?.detail == FieldDetail(field: "metadata.name", constraint: "2", provided: "ab"))
                let gateway = await client.send(APIRequest(method: "GET", path: "/v2/gateway/"), token: token)
                #expect(gateway.record.outcome == .status(502))
                #expect(gateway.record.errors.first?.code == "bad_gateway")
                #expect(gateway.record.rate == .unknown)
            }
        }
    }

    @Test("gzip: the client asks for it and decodes field errors, jw-* headers and lists; garbage keeps its status; a bomb stops at the cap")
    func gzipAnswers() async throws {
        let seen = Seen()
        try await makeServer(seen: seen).test(.live) { server in
            try await withClient { http in
                let client = ManagementClient(configuration: .init(baseURL: "http://127.0.0.1:\(server.port!)"),
                                              httpClient: http, logger: LogCapture().logger())
                let fields = await client.send(APIRequest(method: "GET", path: "/v2/gzip/fields/"), token: token)
                #expect(seen.acceptEncoding.withLock { $0 } == "gzip")
                #expect(fields.record.outcome == .status(400))
                #expect(fields.record.errors.map(\.code) == ["too_short", "required"])
                #expect(fields.record.errors.first?.detail == FieldDetail(field: "metadata.name", constraint: "2", provided: "ab"))
                #expect(fields.record.rate == RateHeaders(limit: 60, remaining: 45, requestID: "req-45"))

                let list = await client.send(APIRequest(method: "GET", path: "/v2/gzip/list/"), token: token)
                #expect(list.record.outcome == .status(200))
                guard case .success(_, let body) = list.outcome else {
                    Issue.record("expected a success, got \(list.record.outcome)")
                    return
                }
                #expect(ResponseDecoder.decodeList(body)?.total == 541)

                let garbage = await client.send(APIRequest(method: "GET", path: "/v2/gzip/garbage/"), token: token)
                #expect(garbage.record.outcome == .status(400))
                #expect(garbage.record.errors.count == 1)
                #expect(garbage.record.errors.first?.description.contains("claims Content-Encoding gzip") == true)
                guard case .failure(let garbageError) = garbage.outcome else {
                    Issue.record("expected a failure")
                    return
                }
                #expect(garbageError.shape == .undecodable)
                // A 2xx whose body will not decode is an unreadable body: nothing usable came.
                let garbageOK = await client.send(APIRequest(method: "GET", path: "/v2/gzip/garbage-ok/"), token: token)
                #expect(garbageOK.record.outcome == .transport(.unreadableBody))
                #expect(garbageOK.record.errors.first?.description.contains("status 200, then: the body claims Content-Encoding gzip") == true)
                #expect(garbageOK.record.rate == RateHeaders(limit: 60, remaining: 45, requestID: "req-45"))

                // AsyncHTTPClient's shared client inflates itself and keeps the header: the
                // answer still decodes, not inflated twice.
                let inflating = ManagementClient(configuration: .init(baseURL: "http://127.0.0.1:\(server.port!)"),
                                                 httpClient: HTTPClient.shared, logger: LogCapture().logger())
                let inflated = await inflating.send(APIRequest(method: "GET", path: "/v2/gzip/fields/"), token: token)
                #expect(seen.acceptEncoding.withLock { $0 } == "gzip")
                #expect(inflated.record.errors.map(\.code) == ["too_short", "required"])

                let bomb = await client.send(APIRequest(method: "GET", path: "/v2/gzip/bomb/"), token: token)
                #expect(bomb.record.outcome == .status(400))
                #expect(bomb.record.bodyTruncated)
                #expect(bomb.record.errors.first?.description.contains("decodes to more than \(1 << 20) bytes") == true)
                let bombOK = await client.send(APIRequest(method: "GET", path: "/v2/gzip/bomb-ok/"), token: token)
                #expect(bombOK.record.outcome == .status(200))
                #expect(bombOK.record.bodyTruncated)
                guard case .success(_, let kept) = bombOK.outcome else {
                    Issue.record("expected a success")
                    return
                }
                #expect(kept.count == 1 << 20)
            }
        }
    }

    @Test("a 6 MB body is read up to the cap and the rest discarded, noted")
    func hugeBody() async throws {
        try await makeServer(seen: Seen()).test(.live) { server in
            try await withClient { http in
                let client = ManagementClient(configuration: .init(baseURL: "http://127.0.0.1:\(server.port!)"),
                                              httpClient: http, logger: LogCapture().logger())
                let response = await client.send(APIRequest(method: "GET", path: "/v2/huge/"), token: token)
                #expect(response.record.outcome == .status(200))
                #expect(response.record.bodyTruncated)
                guard case .success(_, let body) = response.outcome else {
                    Issue.record("expected a success")
                    return
                }
                #expect(body.count == 1 << 20)
                let small = ManagementClient(configuration: .init(baseURL: "http://127.0.0.1:\(server.port!)", discardLimit: 2 << 20),
                                             httpClient: http, logger: LogCapture().logger())
                #expect(await small.send(APIRequest(method: "GET", path: "/v2/huge/"), token: token).record.outcome
                    == .transport(.bodyTooLarge))
            }
        }
    }

    @Test("a slow answer times out; a redirect is not followed")
    func timeoutAndRedirect() async throws {
        let seen = Seen()
        try await makeServer(seen: seen).test(.live) { server in
            // Opened whatever happens, so the held handler ends and the server can stop.
            defer { seen.slowAnswer.open() }
            try await withClient { http in
                let client = ManagementClient(
                    configuration: .init(baseURL: "http://127.0.0.1:\(server.port!)", requestTimeout: .milliseconds(300)),
                    httpClient: http, logger: LogCapture().logger())
                let slow = await client.send(APIRequest(method: "GET", path: "/v2/slow/"), token: token)
                #expect(slow.record.outcome == .transport(.timeout))
                #expect(slow.record.errors.first?.code == "timeout")
                // Its own 300 ms deadline, not the 60 s read timeout of the HTTP client.
                #expect(slow.record.latency >= .milliseconds(300) && slow.record.latency < .seconds(10))
                seen.slowAnswer.open()
                // The redirect gets the default timeout: 300 ms would make it a race on a busy machine.
                let patient = ManagementClient(configuration: .init(baseURL: "http://127.0.0.1:\(server.port!)"),
                                               httpClient: http, logger: LogCapture().logger())
                let redirect = await patient.send(APIRequest(method: "GET", path: "/v2/redirect/"), token: token)
                #expect(redirect.record.outcome == .status(302))
                #expect(redirect.record.statusClass == .unexpected)
            }
        }
    }

    @Test("TLS to a plain HTTP server is a TLS failure")
    func tlsFailure() async throws {
        try await makeServer(seen: Seen()).test(.live) { server in
            try await withClient { http in
                let client = ManagementClient(configuration: .init(baseURL: "https://127.0.0.1:\(server.port!)"),
                                              httpClient: http, logger: LogCapture().logger())
                #expect(await client.send(.listWebhooks(), token: token).record.outcome == .transport(.tls))
            }
        }
    }

    @Test("a closed port is refused; an unknown name is a DNS failure")
    func refusedAndDNS() async throws {
        try await withRefusingPort { port in
            try await withClient { http in
                let refused = ManagementClient(configuration: .init(baseURL: "http://127.0.0.1:\(port)"),
                                               httpClient: http, logger: LogCapture().logger())
                let record = await refused.send(.listWebhooks(), token: token).record
                #expect(record.outcome == .transport(.refused))
                #expect(record.statusClass == .transport)
            }
        }
        try await withClient { http in
            let dns = ManagementClient(configuration: .init(baseURL: "http://no-such-host.invalid"),
                                       httpClient: http, logger: LogCapture().logger())
            #expect(await dns.send(.listWebhooks(), token: token).record.outcome == .transport(.dns))
        }
    }

    @Test("a server that closes the connection without answering is a reset")
    func reset() async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.close() }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress!.port!
        try await withClient { http in
            let client = ManagementClient(configuration: .init(baseURL: "http://127.0.0.1:\(port)"),
                                          httpClient: http, logger: LogCapture().logger())
            #expect(await client.send(.listWebhooks(), token: token).record.outcome == .transport(.reset))
        }
        try await channel.close()
    }
}
