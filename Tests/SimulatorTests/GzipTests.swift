import AsyncHTTPClient
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing
@testable import Simulator

/// One answer as it came off the wire.
struct WireAnswer: Equatable, Sendable {
    let status: UInt
    let contentEncoding: String?
    let contentLength: String?
    let jw: [String?]
    let body: [UInt8]
}

@Suite("The simulator answers gzip when asked, as a compressing gateway does")
struct GzipTests {
    static let calls: [(HTTPMethod, String, String, String?)] = [
        (.GET, "/v2/sites/Abcd1234/media/?page_length=2", Fixture.admin.secret, nil),
        (.POST, "/v2/sites/Abcd1234/media/", Fixture.admin.secret,
         #"{"metadata":{"title":"","tags":"x"},"upload":{"method":"direct","download_url":"https://x"}}"#),
        (.GET, "/v2/webhooks/", "unknown-secret", nil),
        (.GET, "/v2/sites/Abcd1234/media/missing1/", Fixture.admin.secret, nil),
        (.GET, "/v2/webhooks/", Fixture.admin.secret, nil),
        (.GET, "/v2/webhooks/", Fixture.admin.secret, nil),
    ]

    /// A quota of 4 puts a 429 at the end of `calls`; the manual clock keeps runs identical.
    static func simulator() -> some ApplicationProtocol {
        var configuration = Fixture.configuration()
        configuration.quotaPerMinute = 4
        return buildApplication(configuration)
    }

    /// Runs `calls` against a fresh simulator and returns what came back.
    static func run(_ client: HTTPClient, acceptEncoding: String?) async throws -> [WireAnswer] {
        try await simulator().test(.live) { server in
            var answers: [WireAnswer] = []
            for (method, path, secret, body) in calls {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port!)" + path)
                request.method = method
                request.headers.add(name: "Authorization", value: "Bearer " + secret)
                if let acceptEncoding { request.headers.add(name: "Accept-Encoding", value: acceptEncoding) }
                if let body { request.body = .bytes(ByteBuffer(string: body)) }
                let response = try await client.execute(request, timeout: .seconds(60))
                let bytes = try await response.body.collect(upTo: 1 << 20)
                answers.append(WireAnswer(
                    status: response.status.code, contentEncoding: response.headers.first(name: "content-encoding"),
                    contentLength: response.headers.first(name: "content-length"),
                    jw: ["jw-request-limit", "jw-request-remaining", "jw-request-id"].map { response.headers.first(name: $0) },
                    body: Array(bytes.readableBytesView)))
            }
            return answers
        }
    }

    /// `raw` never decompresses (the wire as sent); `inflating` is AsyncHTTPClient's own gzip
    /// decoder, independent of the simulator's encoder.
    static func withClients(_ body: (_ raw: HTTPClient, _ inflating: HTTPClient) async throws -> Void) async throws {
        let raw = HTTPClient(eventLoopGroup: .singletonMultiThreadedEventLoopGroup, configuration: .init(decompression: .disabled))
        let inflating = HTTPClient(eventLoopGroup: .singletonMultiThreadedEventLoopGroup,
                                   configuration: .init(decompression: .enabled(limit: .ratio(100))))
        do {
            try await body(raw, inflating)
        } catch {
            try await raw.shutdown()
            try await inflating.shutdown()
            throw error
        }
        try await raw.shutdown()
        try await inflating.shutdown()
    }

    @Test("asked for gzip, every answer (200, 400, 401, 404, 429) comes gzip, with the compressed length, and decodes to the plain answer")
    func gzipWhenAsked() async throws {
        try await Self.withClients { raw, inflating in
            let plain = try await Self.run(raw, acceptEncoding: nil)
            #expect(plain.map(\.status) == [200, 400, 401, 404, 200, 429])
            #expect(plain.allSatisfy { $0.contentEncoding == nil })

            let gzipped = try await Self.run(raw, acceptEncoding: "gzip, deflate, br")
            #expect(gzipped.map(\.status) == plain.map(\.status))
            #expect(gzipped.map(\.jw) == plain.map(\.jw))
            for answer in gzipped {
                #expect(answer.contentEncoding == "gzip")
                #expect(answer.contentLength == String(answer.body.count))
                #expect(answer.body.starts(with: [0x1F, 0x8B]))
            }
            #expect(zip(gzipped, plain).allSatisfy { $0.body != $1.body })

            // Deterministic: the same run gives the same compressed bytes.
            #expect(try await Self.run(raw, acceptEncoding: "gzip, deflate, br") == gzipped)

            // Another decoder than ours gets the plain answers back, byte for byte.
            let decoded = try await Self.run(inflating, acceptEncoding: "gzip")
            #expect(decoded.map(\.body) == plain.map(\.body))
            #expect(decoded.map(\.status) == plain.map(\.status))
        }
    }

    @Test("not asked, or gzip refused with q=0, the answer is plain", arguments: ["identity", "gzip;q=0", "br", "gzip;q=0, *", "x-gzip; q=0.0"])
    func plainOtherwise(acceptEncoding: String) async throws {
        try await Self.withClients { raw, _ in
            let plain = try await Self.run(raw, acceptEncoding: nil)
            #expect(try await Self.run(raw, acceptEncoding: acceptEncoding) == plain)
        }
    }

    @Test("Accept-Encoding: gzip with q > 0, x-gzip, or * when gzip is not named")
    func accepts() {
        for header in ["gzip", "GZIP", "deflate, gzip", "gzip;q=0.5", "gzip; q=1.0", "x-gzip", "*", "br;q=1, *;q=0.1"] {
            #expect(GzipAnswers.accepts(header), "\(header)")
        }
        for header in [nil, "", "identity", "br", "gzip;q=0", "gzip;q=0.000", "*;q=0", "gzip;q=0, *"] as [String?] {
            #expect(!GzipAnswers.accepts(header), "\(header ?? "nil")")
        }
    }
}
