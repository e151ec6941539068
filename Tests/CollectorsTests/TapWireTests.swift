import Foundation
import ManagementAPI
import NIOHTTP1
import Testing
import TestSupport
@testable import Collectors

#if canImport(Glibc)
    import Glibc
#endif

func occurrences(of needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

/// The tap's HTTP/1.1 on the wire: what a job's client library does that the other tests'
/// clients never do (pipelining, Expect, HTTP/1.0, half-close), and upstreams that close
/// their connections or cut an answer short.
@Suite("The tap on the wire")
struct TapWireTests {
    @Test("pipelined calls are answered in order, each once, and all recorded")
    func pipelined() async throws {
        try await TapTests.simulator().test(.live) { server in
            try await withTap(upstream: "http://127.0.0.1:\(server.port!)") { port, sink in
                let job = try RawConnection(port: port)
                let call = "GET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TapTests.admin.secret)\r\n"
                job.send(call + "\r\n" + call + "\r\n" + call + "Connection: close\r\n\r\n")
                let answers = await job.read(until: { occurrences(of: "HTTP/1.1 200", in: $0) == 3 && $0.hasSuffix("}") })
                #expect(occurrences(of: "HTTP/1.1 200", in: answers) == 3, "\(answers)")
                #expect(await job.closedByPeer(), "the last call asked for Connection: close")
                let remaining = answers.components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix("jw-request-remaining:") }
                #expect(remaining.map { $0.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) } == ["59", "58", "57"])
                await sink.wait(for: 3)
                #expect((await sink.settled()).map(\.outcome) == Array(repeating: .status(200), count: 3))
            }
        }
    }

    @Test("Expect: 100-continue gets a 100 from the tap, then the answer; the upstream gets the body without the Expect")
    func expectContinue() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init(status: .created) }) { upstream in
        try await withTap(upstream: upstream.url) { port, sink in
            let job = try RawConnection(port: port)
            job.send("POST /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            #expect(await job.read(until: { $0.contains("\r\n\r\n") }).hasPrefix("HTTP/1.1 100 Continue\r\n"))
            job.send("hello")
            #expect(await job.read(until: { $0.contains("HTTP/1.1 201") && $0.hasSuffix(#"{"media":[]}"#) }).contains("HTTP/1.1 201"))
            let forwarded = try #require(upstream.heads.first)
            #expect(!forwarded.headers.contains(name: "expect"))
            #expect(forwarded.headers["content-length"] == ["5"])
            #expect(forwarded.headers["host"] == ["127.0.0.1:\(upstream.port)"])
            await sink.wait(for: 1)
            #expect((await sink.settled()).map(\.outcome) == [.status(201)])
        }
        }
    }

    @Test("an HTTP/1.0 call gets an HTTP/1.0 answer, and its connection closes after it")
    func http10() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init() }) { upstream in
        try await withTap(upstream: upstream.url) { port, _ in
            let job = try RawConnection(port: port)
            job.send("GET /v2/webhooks/ HTTP/1.0\r\nAuthorization: Bearer s\r\n\r\n")
            let answer = await job.read(until: { $0.hasSuffix(#"{"media":[]}"#) })
            #expect(answer.hasPrefix("HTTP/1.0 200"), "\(answer)")
            #expect(await job.closedByPeer(), "an HTTP/1.0 call without keep-alive left its connection open")
        }
        }
    }

    @Test("a job that closes its sending side after its call still gets the answer, then the tap closes")
    func halfClose() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init() }) { upstream in
        try await withTap(upstream: upstream.url) { port, sink in
            let job = try RawConnection(port: port)
            job.send("GET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s\r\n\r\n")
            job.closeSending()
            let answer = await job.read(until: { $0.hasSuffix(#"{"media":[]}"#) })
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
            #expect(answer.hasSuffix(#"{"media":[]}"#), "the tap closed before the answer was whole: \(answer)")
            #expect(await job.closedByPeer(), "the tap kept a connection open that will never send another call")
            await sink.wait(for: 1)
            #expect((await sink.settled()).count == 1)
        }
        }
    }

    @Test("calls one after another share one kept-alive upstream connection; an upstream that closes after each gets a new one each time")
    func upstreamConnections() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init() }) { keeping in
            try await ScriptedUpstream.with(answer: { _ in .init(close: true) }) { closing in
                // One event loop serves the tap, so calls one after another find the connection
                // the previous one gave back.
                for upstream in [keeping, closing] {
                    try await withTap(upstream: upstream.url) { port, sink in
                        for _ in 0..<3 {
                            // A connection of its own per call, as a script calling curl does.
                            let answer = try await rawRequest(port: port, "GET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
                        }
                        await sink.wait(for: 3)
                        #expect((await sink.settled()).map(\.outcome) == Array(repeating: .status(200), count: 3))
                    }
                }
                #expect(keeping.connections == 1, "the tap opened \(keeping.connections) upstream connections for 3 calls")
                #expect(closing.connections == 3)
            }
        }
    }

    @Test("a HEAD call gets the upstream's length and no body, and the connection stays usable")
    func head() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init(body: String(repeating: " ", count: 600)) }) { upstream in
        try await withTap(upstream: upstream.url) { port, _ in
            let job = try RawConnection(port: port)
            job.send("HEAD /v2/webhooks/ HTTP/1.1\r\nHost: x\r\n\r\nGET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let answers = await job.read()
            let parts = answers.components(separatedBy: "HTTP/1.1 200")
            #expect(parts.count == 3, "\(answers)")
            #expect(parts.count == 3 && parts[1].lowercased().contains("content-length: 600") && parts[1].hasSuffix("\r\n\r\n"),
                    "the HEAD answer carried a body or lost its length: \(answers)")
            #expect(answers.hasSuffix(String(repeating: " ", count: 600)))
            #expect(await job.closedByPeer())
        }
        }
    }

    @Test("an answer the upstream cuts short closes the job's connection instead of leaving it waiting")
    func cutAnswer() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init(body: "{\"media\":", declaredLength: 1_000) }) { upstream in
        try await withTap(upstream: upstream.url) { port, sink in
            let job = try RawConnection(port: port)
            job.send("GET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = await job.read(until: { $0.hasSuffix("{\"media\":") })
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(await job.closedByPeer(), "the job's connection was left open under a cut answer")
            await sink.wait(for: 1)
            #expect((await sink.settled()).map(\.outcome) == [.status(200)])
            // The tap goes on serving.
            let next = try await rawRequest(port: port, "GET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(next.hasPrefix("HTTP/1.1 200"))
        }
        }
    }
}
