import Foundation
import ManagementAPI
import NIOCore
import NIOHTTP1
import Testing
import TestSupport
@testable import Collectors

/// Requests the tap answers itself without forwarding them: what is not a call of the API
/// (a CONNECT the tap cannot carry out, a browser's cross-site request) is not recorded either; a request that would cost
/// the tap's one event loop dearly (a Connection header naming thousands of options) is refused.
@Suite("The tap's refusals")
struct TapRefusalTests {
    static let normalCall = "GET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

    @Test("a CONNECT to the API's host on a tap without an authority is a 502 that says why, never forwarded, and not recorded as a call")
    func connectWithoutAuthority() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init() }) { upstream in
            try await withTap(upstream: upstream.url) { port, sink in
                let refusal = try await rawRequest(port: port, "CONNECT api.jwplayer.com:443 HTTP/1.1\r\nHost: api.jwplayer.com:443\r\n\r\n")
                #expect(refusal.hasPrefix("HTTP/1.1 502"), "\(refusal)")
                #expect(refusal.contains("cannot decrypt api.jwplayer.com: the tap was started without an authority"), "\(refusal)")
                let next = try await rawRequest(port: port, Self.normalCall)
                #expect(next.hasPrefix("HTTP/1.1 200"), "\(next)")
                await sink.wait(for: 1)
                #expect((await sink.settled()).map(\.path) == ["/v2/webhooks/"], "the CONNECT was recorded as a call")
                #expect(upstream.heads.map(\.uri) == ["/v2/webhooks/"])
            }
        }
    }

    @Test("a CONNECT inside a decrypted connection is refused: the pure machine says so before any socket is touched")
    func connectInsideInterception() {
        var machine = ConnectStateMachine()
        let head = HTTPRequestHead(version: .http1_1, method: .CONNECT, uri: "api.jwplayer.com:443")
        guard case .refuse(.badRequest, _, let description) = machine.receivedHead(head, rules: ProxyRules(), intercepted: true) else {
            Issue.record("not refused")
            return
        }
        #expect(description.contains("inside a decrypted connection"))
    }

    @Test("a request a web page made (cross-site, same-site, same-origin) is a 403, never forwarded or recorded; jobs' requests go through",
          arguments: ["Cross-Site", "same-site", "same-origin"])
    func webPagesAreRefused(site: String) async throws {
        try await ScriptedUpstream.with(answer: { _ in .init(status: .created) }) { upstream in
            try await withTap(upstream: upstream.url) { port, sink in
                let page = "POST /v2/webhooks/ HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-Fetch-Site: \(site)\r\nSec-Fetch-Mode: no-cors\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}"
                let refusal = try await rawRequest(port: port, page)
                #expect(refusal.hasPrefix("HTTP/1.1 403"), "\(refusal)")
                #expect(refusal.contains(#""code":"forbidden""#), "\(refusal)")
                // A job sends no Sec-Fetch-Site; a person typing the address sends `none`.
                let job = "POST /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
                #expect(try await rawRequest(port: port, job).hasPrefix("HTTP/1.1 201"))
                await sink.wait(for: 1)
                #expect((await sink.settled()).count == 1, "the page's request was recorded")
                #expect(upstream.heads.count == 1, "the page's request reached the upstream")
            }
        }
    }

    @Test("a Connection header naming 10 000 options beside 10 000 headers is a 400 naming it; the next call is answered")
    func connectionOptionsAreBounded() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init() }) { upstream in
            try await withTap(upstream: upstream.url) { port, sink in
                // Within what NIO's parser takes (a larger head is refused before the tap sees
                // it), and 100 million comparisons on the tap's one event loop before the cap.
                var request = "GET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nConnection: "
                request += String(repeating: "a,", count: 9_999) + "a\r\n"
                request += String(repeating: "a:\r\n", count: 10_000)
                request += "\r\n"
                let refusal = try await rawRequest(port: port, request)
                #expect(refusal.hasPrefix("HTTP/1.1 400"), "\(refusal.prefix(300))")
                #expect(refusal.contains("the Connection header names more than \(HopByHop.maxConnectionOptions) options"),
                        "\(refusal.prefix(300))")
                #expect(upstream.heads.isEmpty)
                let next = try await rawRequest(port: port, Self.normalCall)
                #expect(next.hasPrefix("HTTP/1.1 200"), "\(next)")
                await sink.wait(for: 2)
                #expect((await sink.settled()).map(\.outcome) == [.status(400), .status(200)])
            }
        }
    }

    @Test("the options a Connection header names are dropped both ways, and an answer's are cut at the cap")
    func namedOptionsAreDropped() {
        var request = HTTPHeaders([("Connection", "keep-alive, X-Secret-Hop"), ("X-Secret-Hop", "1"), ("Accept", "*/*")])
        #expect(HopByHop.refusal(request) == nil)
        #expect(HopByHop.forwarded(request).map(\.name) == ["Accept"])
        request.add(name: "Connection", value: (0..<HopByHop.maxConnectionOptions).map { "o\($0)" }.joined(separator: ","))
        #expect(HopByHop.refusal(request) != nil, "34 options in two Connection headers")
        let answer = HTTPHeaders(
            [("Connection", (0..<10_000).map { "o\($0)" }.joined(separator: ",")), ("o1", "dropped"), ("o9999", "kept"), ("Content-Type", "json")])
        #expect(HopByHop.answered(answer, keepLength: false).map(\.name) == ["o9999", "Content-Type"])
    }
}

@Suite("The tap's error answers are decoded off its event loop")
struct TapDeferredDecodingTests {
    @Test("the record made on the event loop holds the answer undecoded (at most the cap); the delivery decodes it")
    func decodedByTheDelivery() throws {
        let call = TapCallStart(time: Date(), stopwatch: .now, token: TokenReference(fingerprint: Fingerprint(hex: "0000beef"), label: nil),
                                method: "POST", path: "/v2/webhooks/", query: nil, caller: nil, userAgent: nil)
        var headers = HTTPHeaders()
        headers.add(name: "jw-request-remaining", value: "41")
        let body = #"{"errors":[{"code":"required","description":"Field 'metadata.name' is required."}]}"#
        let head = HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers)
        let tapped = TapErrorAnswer.record(call, head: head, body: ByteBuffer(string: body + String(repeating: " ", count: 4_096)), limit: 1_024)
        #expect(tapped.record.errors.isEmpty, "decoded on the event loop")
        #expect(tapped.heldBytes == 1_024, "more than the cap was copied for the delivery")
        let delivered = tapped.decoded()
        #expect(delivered.record.errors.map(\.code) == ["required"])
        #expect(delivered.record.rate.remaining == 41)
        #expect(delivered.record.outcome == .status(400))
    }
}
