import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ManagementAPI
import NIOCore
import Simulator
import Synchronization
import Testing
import TestSupport
@testable import Collectors

/// The tap hands its `calls` sink each record with the request body the job sent, so the
/// recorder can journal what a failed call carried.
@Suite("The tap's calls sink: records with their request bodies")
struct TapRequestBodyTests {
    static let admin = SimulatedToken(label: "ops", secret: "tap-body-secret-51")

    /// What the `calls` sink was handed, in order.
    final class Seen: Sendable {
        private let calls = Mutex<[TappedCall]>([])
        let queue = TapCallQueue()
        func add(_ call: TappedCall) { calls.withLock { $0.append(call) } }
        /// What was handed over, once the tap's queue has drained (calls arrive after answers).
        var all: [TappedCall] {
            get async {
                _ = await eventually { queue.backlog == 0 }
                return calls.withLock { $0 }
            }
        }
    }

    /// Runs a tap whose `calls` sink collects what it is handed.
    func withBodyTap(upstream: String, maxBody: Int = 16 << 20,
                     _ body: @Sendable (_ port: Int, _ seen: Seen) async throws -> Void) async throws
    {
        let seen = Seen()
        let configuration = TapConfiguration(host: "127.0.0.1", port: 0, upstream: upstream, maxRequestBody: maxBody)
        let app = Tap.application(configuration, logger: Logger(label: "tap-body-test"), queue: seen.queue, calls: { seen.add($0) })
        try await running(app) { port in try await body(port, seen) }
    }

    @Test("a 400's body, a 502's body and a bodiless GET's empty body come with their records; a 413 comes without one")
    func bodies() async throws {
        let invalid = #"{"metadata":{"title":""},"upload":{}}"#
        let app = buildApplication(SimulatorConfiguration(port: 0, tokens: [Self.admin]))
        try await app.test(.live) { server in
            try await withBodyTap(upstream: "http://127.0.0.1:\(server.port!)", maxBody: 1_024) { port, seen in
                let base = "http://127.0.0.1:\(port)"
                let first = try await call(base, .POST, "/v2/sites/Abcd1234/media/", secret: Self.admin.secret, body: invalid)
                #expect(first.status == 400)
                #expect(try await call(base, .GET, "/v2/webhooks/", secret: Self.admin.secret).status == 200)
                let big = String(repeating: "x", count: 2_048)
                #expect(try await call(base, .POST, "/v2/webhooks/", secret: Self.admin.secret, body: big).status == 413)
                let calls = await seen.all
                #expect(calls.map(\.record.outcome) == [.status(400), .status(200), .status(413)])
                #expect(calls.first?.requestBody.map { String(buffer: $0) } == invalid)
                #expect(calls.count == 3 && calls[1].requestBody?.readableBytes == 0)
                #expect(calls.count == 3 && calls[2].requestBody == nil)
            }
        }
        try await withRefusingPort { port in
            try await withBodyTap(upstream: "http://127.0.0.1:\(port)") { tapPort, seen in
                let answer = try await call("http://127.0.0.1:\(tapPort)", .PUT, "/v2/webhooks/x/", secret: nil, body: "{\"a\":1}")
                #expect(answer.status == 502)
                #expect(await seen.all.first?.requestBody.map { String(buffer: $0) } == "{\"a\":1}")
            }
        }
    }

    @Test("the sink that takes records alone still gets every record")
    func recordSinkStillWorks() async throws {
        try await withRefusingPort { port in
            try await withTap(upstream: "http://127.0.0.1:\(port)") { tapPort, sink in
                let answer = try await call("http://127.0.0.1:\(tapPort)", .GET, "/v2/webhooks/", secret: nil)
                #expect(answer.status == 502)
                #expect((await sink.settled()).map(\.outcome) == [.status(502)])
            }
        }
    }

    @Test("the query string the job sent comes with its call, as sent; the record's path has none")
    func query() async throws {
        let app = buildApplication(SimulatorConfiguration(port: 0, tokens: [Self.admin]))
        try await app.test(.live) { server in
            try await withBodyTap(upstream: "http://127.0.0.1:\(server.port!)") { port, seen in
                let answer = try await call("http://127.0.0.1:\(port)", .GET, "/v2/webhooks/?page_length=1&q=a%20b", secret: Self.admin.secret)
                #expect(answer.status == 200)
                let calls = await seen.all
                #expect(calls.map(\.query) == ["page_length=1&q=a%20b"])
                #expect(calls.map(\.record.path) == ["/v2/webhooks/"])
            }
        }
    }
}
